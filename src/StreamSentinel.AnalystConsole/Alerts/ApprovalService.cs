using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.PostgreSql;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>One proposed verdict: the alert, who proposed what, and (once decided) who decided and how.</summary>
public sealed record ApprovalView(
    Guid Id, Guid AlertId, string ProposedStatus, string ProposedBy, string? Note, DateTimeOffset ProposedAt,
    string? Decision, string? DecidedBy, DateTimeOffset? DecidedAt)
{
    public static ApprovalView Of(VerdictApproval approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        return new(approval.Id, approval.AlertId, approval.ProposedStatus, approval.ProposedBy, approval.Note, approval.ProposedAt,
            approval.Decision, approval.DecidedBy, approval.DecidedAt);
    }
}

/// <summary>A decided proposal and the alert as it is after it.</summary>
public sealed record ApprovalDecisionResult(ApprovalView Approval, AlertSummary Alert);

/// <summary>The body of a decision on a proposal.</summary>
public sealed record ApprovalDecision(string? Note);

public enum ApprovalOutcome
{
    Decided,
    NotFound,
    OwnProposal,
    AlreadyDecided,
    AlertMoved,
}

/// <summary>
/// Four-eyes on verdicts (issue 19, sql/postgres/0013_verdict_approvals.sql): proposals wait in their own queue; a
/// second analyst approves (the alert then takes the verdict, audited with both names) or rejects; never the proposer.
/// </summary>
public sealed class ApprovalService(SentinelDbContext db, AlertService alerts, IOperationalEvents events, ConsoleMetrics metrics, TimeProvider time)
{
    public const string Proposed = "verdict_proposed";
    public const string Approved = "verdict_approved";
    public const string Rejected = "verdict_rejected";

    public async Task<IReadOnlyList<ApprovalView>> PendingAsync(int limit, CancellationToken cancellationToken)
    {
        metrics.Read();
        var pending = await db.VerdictApprovals.AsNoTracking().Where(a => a.Decision == null)
            .OrderBy(a => a.ProposedAt).ThenBy(a => a.Id).Take(limit).ToListAsync(cancellationToken);
        return [.. pending.Select(ApprovalView.Of)];
    }

    /// <summary>
    /// Records <paramref name="analyst"/>'s proposal for <paramref name="alert"/> (whose version and workflow step the
    /// caller checked) with its audit row; null when the alert already has an open proposal.
    /// </summary>
    public async Task<ApprovalView?> ProposeAsync(AlertSummary alert, StatusChange change, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(change);
        db.ChangeTracker.Clear();
        var approval = new VerdictApproval
        {
            Id = Guid.CreateVersion7(),
            AlertId = alert.Id,
            ProposedStatus = change.Status,
            ProposedBy = analyst,
            Note = change.Note,
            ProposedAt = time.GetUtcNow(),
        };
        db.VerdictApprovals.Add(approval);
        var audit = alerts.Audit(AlertService.EntityType, alert.Id.ToString(), Proposed, analyst, new JsonObject
        {
            ["approval_id"] = approval.Id.ToString(),
            ["from"] = alert.Status,
            ["to"] = change.Status,
            ["note"] = change.Note,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return null;
        }

        events.Publish(audit);
        return ApprovalView.Of(approval);
    }

    /// <summary>Approves or rejects a pending proposal as <paramref name="analyst"/>, who must not be its proposer.</summary>
    public async Task<(ApprovalOutcome Outcome, ApprovalView? Approval, AlertSummary? Alert)> DecideAsync(
        Guid id, bool approve, ApprovalDecision decision, string analyst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var approval = await db.VerdictApprovals.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (approval is null)
        {
            return (ApprovalOutcome.NotFound, null, null);
        }

        if (approval.Decision is not null)
        {
            return (ApprovalOutcome.AlreadyDecided, ApprovalView.Of(approval), null);
        }

        if (string.Equals(approval.ProposedBy, analyst, StringComparison.OrdinalIgnoreCase))
        {
            return (ApprovalOutcome.OwnProposal, ApprovalView.Of(approval), null);
        }

        var alert = await db.FraudAlerts.SingleAsync(a => a.Id == approval.AlertId, cancellationToken);
        var published = new List<AuditEvent>();
        approval.Decision = approve ? "APPROVED" : "REJECTED";
        approval.DecidedBy = analyst;
        approval.DecidedAt = time.GetUtcNow();
        published.Add(alerts.Audit(AlertService.EntityType, alert.Id.ToString(), approve ? Approved : Rejected, analyst, new JsonObject
        {
            ["approval_id"] = approval.Id.ToString(),
            ["to"] = approval.ProposedStatus,
            ["proposed_by"] = approval.ProposedBy,
            ["note"] = decision.Note,
        }));
        if (approve)
        {
            if (!AlertWorkflow.Allows(alert.Status, approval.ProposedStatus))
            {
                db.ChangeTracker.Clear();
                return (ApprovalOutcome.AlertMoved, ApprovalView.Of(approval), AlertSummary.Of(alert));
            }

            var change = alerts.Apply(alert, new StatusChange(approval.ProposedStatus, null, approval.Note), approval.ProposedBy, caseId: alert.CaseId);
            change.Details["approved_by"] = analyst;
            change.Details["approval_id"] = approval.Id.ToString();
            db.AuditLog.Local.Single(e => e.EventId == change.EventId).Details = change.Details.ToJsonString();
            published.Add(change);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another analyst decided (or changed the alert) between our read and our write.
            db.ChangeTracker.Clear();
            var current = await db.VerdictApprovals.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
            return (ApprovalOutcome.AlreadyDecided, ApprovalView.Of(current), null);
        }

        alerts.Committed();
        foreach (var audit in published)
        {
            events.Publish(audit);
        }

        return (ApprovalOutcome.Decided, ApprovalView.Of(approval), AlertSummary.Of(alert));
    }
}
