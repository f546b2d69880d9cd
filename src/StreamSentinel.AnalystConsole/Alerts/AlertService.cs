using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.PostgreSql;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>The queue, the alert page and the status workflow, over EF Core (PostgreSQL) and ClickHouse.</summary>
public sealed class AlertService(
    SentinelDbContext db,
    ClickHouseDatabase clickHouse,
    IOptions<ConsoleOptions> options,
    IOptions<FourEyesOptions> fourEyes,
    IOperationalEvents events,
    ConsoleMetrics metrics,
    TimeProvider time)
{
    public const string EntityType = "fraud_alert";

    private readonly List<Action> _uncommitted = [];

    public const string StatusChanged = "alert.status_changed";
    public const string CaseEntityType = "fraud_case";
    public const string Assigned = "assigned";

    /// <summary>
    /// One page, newest first by (created_at, id): a keyset seek, so page 1,000 of 10M alerts costs what page 1 does
    /// (indexes fraud_alerts_queue_idx, fraud_alerts_status_queue_idx, fraud_alerts_user_queue_idx; `bench console-queue` measures it).
    /// </summary>
    public async Task<AlertPage> QueueAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var alerts = db.FraudAlerts.AsNoTracking();
        if (query.Statuses.Count > 0)
        {
            alerts = alerts.Where(a => query.Statuses.Contains(a.Status));
        }

        if (query.Severities.Count > 0)
        {
            alerts = alerts.Where(a => query.Severities.Contains(a.Severity));
        }

        if (query.UserId is { } user)
        {
            alerts = alerts.Where(a => a.UserId == user);
        }

        if (query.From is { } from)
        {
            alerts = alerts.Where(a => a.CreatedAt >= from);
        }

        if (query.To is { } to)
        {
            alerts = alerts.Where(a => a.CreatedAt < to);
        }

        if (query.After is { } after)
        {
            // A row comparison, (created_at, id) < (@created_at, @id), which PostgreSQL answers from the index.
            alerts = alerts.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.CreatedAt, a.Id), ValueTuple.Create(after.CreatedAt, after.Id)));
        }

        metrics.Read();
        var limit = Math.Clamp(query.Limit, 1, options.Value.MaxPageSize);
        var page = await alerts.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).Select(AlertSummary.Of).ToList();
        return new AlertPage(items, page.Count > limit ? new AlertCursor(items[^1].CreatedAt, items[^1].Id).ToString() : null);
    }

    public async Task<AlertDetail?> DetailAsync(Guid id, CancellationToken cancellationToken)
    {
        metrics.Read();
        var alert = await db.FraudAlerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return null;
        }

        var entityId = id.ToString();
        var history = await db.AuditLog.AsNoTracking()
            .Where(e => e.EntityType == EntityType && e.EntityId == entityId)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return new AlertDetail(
            AlertSummary.Of(alert),
            JsonDocument.Parse(alert.Explanation).RootElement.Clone(),
            alert.ModelName,
            alert.ModelVersion,
            alert.MerchantCategory,
            alert.EventTime,
            alert.UpdatedAt,
            AlertWorkflow.From(alert.Status),
            await RecentTransactionsAsync(alert.UserId, cancellationToken),
            [.. history.Select(e => new HistoryEntry(e.OccurredAt, e.Actor, e.Action, JsonDocument.Parse(e.Details).RootElement.Clone()))]);
    }

    /// <summary>
    /// Moves the alert along the workflow if it is still at <paramref name="expectedVersion"/>, and writes the audit
    /// entry in the same transaction. Another analyst's change in between makes it <see cref="ChangeOutcome.Stale"/>.
    /// </summary>
    public async Task<(ChangeOutcome Outcome, AlertSummary? Alert)> ChangeStatusAsync(
        Guid id, uint expectedVersion, StatusChange change, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var alert = await db.FraudAlerts.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return (ChangeOutcome.NotFound, null);
        }

        if (alert.RowVersion != expectedVersion)
        {
            return (ChangeOutcome.Stale, AlertSummary.Of(alert));
        }

        if (!AlertWorkflow.Allows(alert.Status, change.Status))
        {
            return (ChangeOutcome.NotAllowed, AlertSummary.Of(alert));
        }

        // Four-eyes: this verdict is a proposal for a second analyst (ApprovalService), not a change.
        if (fourEyes.Value.Requires(change.Status, alert.Severity))
        {
            return (ChangeOutcome.NeedsApproval, AlertSummary.Of(alert));
        }

        // The version the client saw is the one the UPDATE requires (xmin): a change committed since then fails it.
        db.Entry(alert).Property(a => a.RowVersion).OriginalValue = expectedVersion;
        var audit = Apply(alert, change, analyst, caseId: null);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            metrics.StatusChange("stale");
            _uncommitted.Clear();
            db.ChangeTracker.Clear();
            var current = await db.FraudAlerts.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
            return (ChangeOutcome.Stale, AlertSummary.Of(current));
        }

        metrics.StatusChange("changed");
        Committed();
        events.Publish(audit);
        return (ChangeOutcome.Changed, AlertSummary.Of(alert));
    }

    /// <summary>
    /// Applies <paramref name="action"/> to each alert of its selection on its own (one transaction each, so one alert
    /// changed meanwhile fails alone): each checked against the version the analyst saw and audited with the note.
    /// </summary>
    public async Task<BulkResult> BulkAsync(BulkAction action, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var results = new List<BulkItemResult>(action.Items.Count);
        foreach (var item in action.Items)
        {
            var (outcome, alert) = action.Action == "assign"
                ? await AssignAsync(item.Id, item.Version, action.Assignee, action.Note, analyst, cancellationToken)
                : await ChangeStatusAsync(item.Id, item.Version, new StatusChange(action.Status!, null, action.Note), analyst, cancellationToken);
            results.Add(new BulkItemResult(item.Id, outcome switch
            {
                ChangeOutcome.Changed => "changed",
                ChangeOutcome.NotFound => "not_found",
                ChangeOutcome.Stale => "stale",
                ChangeOutcome.NeedsApproval => "needs_approval",
                _ => "not_allowed",
            }, alert?.Status, alert?.Version));
            db.ChangeTracker.Clear();
        }

        var changed = results.Count(r => r.Outcome == "changed");
        return new BulkResult(changed, results.Count - changed, results);
    }

    /// <summary>Gives one alert to <paramref name="assignee"/> (null: nobody) if it is still at <paramref name="expectedVersion"/>, audited.</summary>
    public async Task<(ChangeOutcome Outcome, AlertSummary? Alert)> AssignAsync(
        Guid id, uint expectedVersion, string? assignee, string? note, string analyst, CancellationToken cancellationToken)
    {
        var alert = await db.FraudAlerts.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return (ChangeOutcome.NotFound, null);
        }

        if (alert.RowVersion != expectedVersion)
        {
            return (ChangeOutcome.Stale, AlertSummary.Of(alert));
        }

        db.Entry(alert).Property(a => a.RowVersion).OriginalValue = expectedVersion;
        var audit = Audit(EntityType, id.ToString(), Assigned, analyst, new JsonObject { ["from"] = alert.Assignee, ["to"] = assignee, ["note"] = note, ["case_id"] = alert.CaseId?.ToString() });
        alert.Assignee = assignee;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return (ChangeOutcome.Stale, AlertSummary.Of(await db.FraudAlerts.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken)));
        }

        events.Publish(audit);
        return (ChangeOutcome.Changed, AlertSummary.Of(alert));
    }

    /// <summary>Records the time-to-first-action and time-to-resolution of the changes just committed.</summary>
    internal void Committed()
    {
        foreach (var record in _uncommitted)
        {
            record();
        }

        _uncommitted.Clear();
    }

    /// <summary>
    /// Moves a tracked alert to <paramref name="change"/>'s status and adds its audit row to the context (saved with
    /// it); returns the event to publish once committed. Every path that changes an alert (one alert, a case, a
    /// selection) goes through here, so every change is audited the same way. <paramref name="caseId"/> names the
    /// case when the change was made on a case.
    /// </summary>
    internal AuditEvent Apply(FraudAlert alert, StatusChange change, string analyst, Guid? caseId)
    {
        var from = alert.Status;
        // Recorded once the change is committed (Committed): a stale change never counts.
        var now = time.GetUtcNow();
        var (severity, createdAt) = (alert.Severity, alert.CreatedAt);
        if (from == AlertStatus.Pending)
        {
            _uncommitted.Add(() => metrics.FirstAction(now - createdAt, severity, analyst));
        }

        if (change.Status is AlertStatus.ConfirmedFraud or AlertStatus.FalsePositive)
        {
            _uncommitted.Add(() => metrics.Resolution(now - createdAt, severity, analyst));
        }

        alert.Status = change.Status;
        alert.Assignee = change.Assignee ?? (change.Status == AlertStatus.Investigating ? analyst : alert.Assignee);
        // One id for the row written here and the event published below: the persistence fleet stores the event
        // once (the row is already there) and copies verdicts to ClickHouse for the model's precision.
        var audit = new AuditEvent
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = time.GetUtcNow(),
            Actor = $"analyst/{analyst}",
            Action = StatusChanged,
            EntityType = EntityType,
            EntityId = alert.Id.ToString(),
            Details = new JsonObject
            {
                ["from"] = from,
                ["to"] = change.Status,
                ["assignee"] = alert.Assignee,
                ["note"] = change.Note,
                ["transaction_id"] = alert.TransactionId,
                ["event_id"] = alert.EventId,
                ["model_name"] = alert.ModelName,
                ["model_version"] = alert.ModelVersion,
                ["detected_at"] = alert.DetectedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            },
        };
        if (caseId is { } onCase)
        {
            audit.Details["case_id"] = onCase.ToString();
        }

        db.AuditLog.Add(AuditLogEntry.Of(audit));
        return audit;
    }

    /// <summary>
    /// An audit row of <paramref name="entityType"/>'s <paramref name="action"/> (e.g. <c>fraud_alert</c>,
    /// <c>assigned</c> becomes <c>alert.assigned</c>) added to the context, saved with the change; returns the event
    /// to publish once committed.
    /// </summary>
    internal AuditEvent Audit(string entityType, string entityId, string action, string analyst, JsonObject details) =>
        AuditAs($"analyst/{analyst}", entityType, entityId, action, details);

    /// <summary>As <see cref="Audit"/>, for a change no analyst made (<paramref name="actor"/>: e.g. <c>console/round-robin</c>).</summary>
    internal AuditEvent AuditAs(string actor, string entityType, string entityId, string action, JsonObject details)
    {
        var audit = new AuditEvent
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = time.GetUtcNow(),
            Actor = actor,
            Action = (entityType == CaseEntityType ? "case." : "alert.") + action,
            EntityType = entityType,
            EntityId = entityId,
            Details = details,
        };
        db.AuditLog.Add(AuditLogEntry.Of(audit));
        return audit;
    }

    private async Task<IReadOnlyList<RecentTransaction>> RecentTransactionsAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryTsvAsync(
            "SELECT transaction_id, toUnixTimestamp(event_time), toString(amount), currency, merchant_id, merchant_category, country, toString(channel), device_id "
            + $"FROM transaction_records WHERE user_id = {ClickHouseLiteral.Text(userId)} ORDER BY event_time DESC LIMIT {options.Value.RecentTransactions.ToString(CultureInfo.InvariantCulture)}",
            cancellationToken);
        return [.. rows.Select(r => new RecentTransaction(
            r[0], DateTimeOffset.FromUnixTimeSeconds(long.Parse(r[1], CultureInfo.InvariantCulture)), decimal.Parse(r[2], CultureInfo.InvariantCulture),
            r[3], r[4], r[5], r[6], r[7], r[8]))];
    }
}

public enum ChangeOutcome
{
    Changed,
    NotFound,
    NotAllowed,
    Stale,
    NeedsApproval,
}
