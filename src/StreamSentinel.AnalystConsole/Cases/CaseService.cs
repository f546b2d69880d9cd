using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Domain;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.PostgreSql;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Cases;

/// <summary>
/// The case queue and actions on cases (issue 19): a case is a user's alerts detected close together
/// (sql/postgres/0011_fraud_cases.sql); an action on it moves each of its alerts, audited one by one.
/// </summary>
public sealed class CaseService(
    SentinelDbContext db,
    NpgsqlDataSource dataSource,
    AlertService alerts,
    IOptions<ConsoleOptions> options,
    IOptions<SlaOptions> sla,
    IOptions<FourEyesOptions> fourEyes,
    IOperationalEvents events,
    ConsoleMetrics metrics,
    TimeProvider time)
{
    private static readonly string Queue = EmbeddedSql.Read(typeof(SentinelDbContext).Assembly, "sql/queries/postgres/case_queue.sql");

    // One case by id, whether open or not.
    private static readonly CaseQuery OneCase = new(null, OpenOnly: false, After: null, Limit: 1);

    public async Task<CasePage> QueueAsync(CaseQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        metrics.Read();
        var limit = Math.Clamp(query.Limit, 1, options.Value.MaxPageSize);
        var page = await ReadAsync(query with { Limit = limit + 1 }, caseId: null, cancellationToken);
        var items = page.Take(limit).ToList();
        if (page.Count <= limit)
        {
            return new CasePage(items, null);
        }

        var last = items[^1];
        return new CasePage(items, new CaseCursor(query.ByDue, new AlertCursor(query.ByDue ? last.DueAt!.Value : last.LastAlertAt, last.Id)).ToString());
    }

    public async Task<CaseDetail?> DetailAsync(Guid id, CancellationToken cancellationToken)
    {
        metrics.Read();
        if ((await ReadAsync(OneCase, id, cancellationToken)) is not [var summary])
        {
            return null;
        }

        var members = await db.FraudAlerts.AsNoTracking().Where(a => a.CaseId == id)
            .OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).ToListAsync(cancellationToken);
        return new CaseDetail(summary, [.. members.Select(AlertSummary.Of)]);
    }

    /// <summary>
    /// Moves every alert of the case that may make the step to <paramref name="change"/>'s status, if no alert of it
    /// changed (and none joined) since the analyst read <paramref name="expectedVersion"/>. The alerts are locked for
    /// the transaction, so the check and the changes see the same rows; each changed alert gets its own audit row.
    /// Alerts that cannot make the step (already closed, say) are left as they are and reported.
    /// </summary>
    public async Task<(CaseOutcome Outcome, CaseActionResult? Result, CaseSummary? Current)> ChangeStatusAsync(
        Guid id, string expectedVersion, CaseStatusChange change, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var members = await db.FraudAlerts
            .FromSqlInterpolated($"SELECT fraud_alerts.*, xmin FROM fraud_alerts WHERE case_id = {id} ORDER BY id FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (members.Count == 0)
        {
            return (CaseOutcome.NotFound, null, null);
        }

        var version = await db.Database.SqlQuery<string>($"SELECT fraud_case_version({id}) AS \"Value\"").SingleAsync(cancellationToken);
        if (!string.Equals(version, expectedVersion, StringComparison.Ordinal))
        {
            metrics.StatusChange("stale");
            await transaction.RollbackAsync(cancellationToken);
            return (CaseOutcome.Stale, null, await SummaryAsync(id, cancellationToken));
        }

        var audits = new List<AuditEvent>();
        // A verdict under four-eyes is never applied to a whole case at once: each alert needs its own proposal.
        var needsApproval = members.Where(a => fourEyes.Value.Requires(change.Status, a.Severity)).Select(a => a.Id).ToHashSet();
        foreach (var alert in members.Where(a => AlertWorkflow.Allows(a.Status, change.Status) && !needsApproval.Contains(a.Id)))
        {
            audits.Add(alerts.Apply(alert, new StatusChange(change.Status, null, change.Note), analyst, id));
        }

        if (audits.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (CaseOutcome.NothingAllowed, null, await SummaryAsync(id, cancellationToken));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        alerts.Committed();
        foreach (var audit in audits)
        {
            metrics.StatusChange("changed");
            events.Publish(audit);
        }

        var changed = audits.Select(a => a.EntityId).ToHashSet(StringComparer.Ordinal);
        db.ChangeTracker.Clear();
        var after = await db.FraudAlerts.AsNoTracking().Where(a => a.CaseId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return (
            CaseOutcome.Changed,
            new CaseActionResult(
                (await SummaryAsync(id, cancellationToken))!,
                [.. after.Select(a => new CaseAlertOutcome(
                    a.Id, changed.Contains(a.Id.ToString()) ? "changed" : needsApproval.Contains(a.Id) ? "needs_approval" : "not_allowed", a.Status, a.RowVersion))]),
            null);
    }

    /// <summary>
    /// Gives the case to <paramref name="assignment"/>'s analyst (null: nobody), with its open alerts, each audited
    /// (<c>alert.assigned</c>) and the case too (<c>case.assigned</c>), if no alert of it changed since
    /// <paramref name="expectedVersion"/>. Only analysts among the configured users can own a case.
    /// </summary>
    public async Task<(CaseOutcome Outcome, CaseSummary? Case)> AssignAsync(
        Guid id, string expectedVersion, CaseAssignment assignment, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var assignee = options.Value.AnalystNamed(assignment.Assignee);
        if (assignment.Assignee is not null && assignee is null)
        {
            return (CaseOutcome.UnknownAnalyst, null);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var fraudCase = await db.FraudCases.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        var members = await db.FraudAlerts
            .FromSqlInterpolated($"SELECT fraud_alerts.*, xmin FROM fraud_alerts WHERE case_id = {id} ORDER BY id FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (fraudCase is null || members.Count == 0)
        {
            return (CaseOutcome.NotFound, null);
        }

        var version = await db.Database.SqlQuery<string>($"SELECT fraud_case_version({id}) AS \"Value\"").SingleAsync(cancellationToken);
        if (!string.Equals(version, expectedVersion, StringComparison.Ordinal))
        {
            await transaction.RollbackAsync(cancellationToken);
            return (CaseOutcome.Stale, await SummaryAsync(id, cancellationToken));
        }

        var audits = Give(fraudCase, members, assignee, assignment.Note, $"analyst/{analyst}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var audit in audits)
        {
            events.Publish(audit);
        }

        return (CaseOutcome.Changed, await SummaryAsync(id, cancellationToken));
    }

    /// <summary>
    /// Gives the case and its open alerts (locked by the caller) to <paramref name="assignee"/> (null: nobody), with an
    /// audit row for the case (<c>case.assigned</c>) and each alert (<c>alert.assigned</c>) by <paramref name="actor"/>,
    /// saved with the change; returns the events to publish once committed.
    /// </summary>
    internal List<AuditEvent> Give(FraudCase fraudCase, IEnumerable<FraudAlert> members, string? assignee, string? note, string actor)
    {
        var audits = new List<AuditEvent>
        {
            alerts.AuditAs(actor, AlertService.CaseEntityType, fraudCase.Id.ToString(), AlertService.Assigned, new JsonObject
            {
                ["from"] = fraudCase.Assignee,
                ["to"] = assignee,
                ["note"] = note,
                ["user_id"] = fraudCase.UserId,
            }),
        };
        fraudCase.Assignee = assignee;
        foreach (var alert in members.Where(a => a.Status is AlertStatus.Pending or AlertStatus.Investigating))
        {
            audits.Add(alerts.AuditAs(actor, AlertService.EntityType, alert.Id.ToString(), AlertService.Assigned, new JsonObject
            {
                ["from"] = alert.Assignee,
                ["to"] = assignee,
                ["note"] = note,
                ["case_id"] = fraudCase.Id.ToString(),
            }));
            alert.Assignee = assignee;
        }

        return audits;
    }

    private async Task<CaseSummary?> SummaryAsync(Guid id, CancellationToken cancellationToken) =>
        (await ReadAsync(OneCase, id, cancellationToken)).SingleOrDefault();

    private async Task<List<CaseSummary>> ReadAsync(CaseQuery query, Guid? caseId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(Queue);
        command.Parameters.Add(new NpgsqlParameter("by_due", NpgsqlDbType.Boolean) { Value = query.ByDue });
        command.Parameters.Add(new NpgsqlParameter("case_id", NpgsqlDbType.Uuid) { Value = caseId is { } one ? one : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)query.UserId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("assignee", NpgsqlDbType.Text) { Value = (object?)query.Assignee ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("open_only", NpgsqlDbType.Boolean) { Value = query.OpenOnly });
        command.Parameters.Add(new NpgsqlParameter("overdue_at", NpgsqlDbType.TimestampTz) { Value = query.OverdueOnly ? now : DBNull.Value });
        foreach (var (name, minutes) in new[]
        {
            ("sla_critical", sla.Value.CriticalMinutes), ("sla_high", sla.Value.HighMinutes), ("sla_medium", sla.Value.MediumMinutes),
            ("sla_low", sla.Value.LowMinutes), ("sla_minimal", sla.Value.MinimalMinutes),
        })
        {
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = minutes });
        }

        var after = query.After?.Position;
        command.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = after is { } a ? a.CreatedAt : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_id", NpgsqlDbType.Uuid) { Value = after is { } b ? b.Id : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = query.Limit });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cases = new List<CaseSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cases.Add(new CaseSummary(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(6),
                reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetDecimal(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                !reader.IsDBNull(11) && reader.GetFieldValue<DateTimeOffset>(11) < now));
        }

        return cases;
    }
}
