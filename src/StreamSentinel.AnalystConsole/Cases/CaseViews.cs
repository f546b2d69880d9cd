using StreamSentinel.AnalystConsole.Alerts;

namespace StreamSentinel.AnalystConsole.Cases;

/// <summary>
/// One line of the case queue, summarized from its alerts. <see cref="Version"/> changes whenever one of its alerts
/// changes or one joins: an action on the case sends it back in <c>If-Match</c>.
/// </summary>
public sealed record CaseSummary(
    Guid Id,
    string UserId,
    string WorstSeverity,
    int Alerts,
    int OpenAlerts,
    decimal TotalAmount,
    DateTimeOffset? OldestOpen,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastAlertAt,
    string Version,
    string? Assignee,
    DateTimeOffset? DueAt,
    bool Overdue);

/// <summary>A page of the case queue; <see cref="NextCursor"/> fetches the next one, null on the last.</summary>
public sealed record CasePage(IReadOnlyList<CaseSummary> Items, string? NextCursor);

/// <summary>A case and its alerts, newest first.</summary>
public sealed record CaseDetail(CaseSummary Case, IReadOnlyList<AlertSummary> Alerts);

/// <summary>
/// The queue's filters: one user, one assignee ("my queue"), open cases only, overdue only; its order (latest
/// activity, or due first: open cases only); and where the previous page ended.
/// </summary>
public sealed record CaseQuery(
    string? UserId, bool OpenOnly, CaseCursor? After, int Limit, string? Assignee = null, bool OverdueOnly = false, bool ByDue = false);

/// <summary>The body of an assignment: a known analyst's name, or null to release the case.</summary>
public sealed record CaseAssignment(string? Assignee, string? Note);

/// <summary>The body of an action on a case: the status its alerts move to, and a note for every one's audit.</summary>
public sealed record CaseStatusChange(string Status, string? Note);

/// <summary>What an action on a case did to each of its alerts: changed, or left as it was and why.</summary>
public sealed record CaseActionResult(CaseSummary Case, IReadOnlyList<CaseAlertOutcome> Alerts);

/// <summary>
/// One alert of a case after an action: <c>changed</c>, <c>not_allowed</c> (its status cannot make that step) or
/// <c>needs_approval</c> (a verdict under four-eyes: propose it on the alert).
/// </summary>
public sealed record CaseAlertOutcome(Guid Id, string Outcome, string Status, uint Version);

public enum CaseOutcome
{
    Changed,
    NotFound,
    Stale,
    NothingAllowed,
    UnknownAnalyst,
}
