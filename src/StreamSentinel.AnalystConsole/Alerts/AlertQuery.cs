namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>The queue's filters: any combination; <see cref="After"/> continues from a previous page.</summary>
public sealed record AlertQuery(
    IReadOnlyList<string> Statuses,
    IReadOnlyList<string> Severities,
    string? UserId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    AlertCursor? After,
    int Limit);
