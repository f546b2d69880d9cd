namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>One alert of a selection, at the version the analyst saw.</summary>
public sealed record BulkItem(Guid Id, uint Version);

/// <summary>
/// An action on a selection of alerts (issue 19): <c>status</c> (e.g. FALSE_POSITIVE) or <c>assign</c> (to a known
/// analyst, null to release), with a note that every alert's audit row carries.
/// </summary>
public sealed record BulkAction(string Action, IReadOnlyList<BulkItem> Items, string? Note, string? Status, string? Assignee);

/// <summary>What became of one alert: changed, stale (changed since it was read), not_found, not_allowed or needs_approval.</summary>
public sealed record BulkItemResult(Guid Id, string Outcome, string? Status, uint? Version);

/// <summary>Every alert's outcome, in the order sent, with counts.</summary>
public sealed record BulkResult(int Changed, int Failed, IReadOnlyList<BulkItemResult> Items);
