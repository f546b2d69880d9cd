using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>PENDING -> INVESTIGATING -> CONFIRMED_FRAUD or FALSE_POSITIVE -> RESOLVED; nothing else.</summary>
public static class AlertWorkflow
{
    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [AlertStatus.Pending] = [AlertStatus.Investigating],
        [AlertStatus.Investigating] = [AlertStatus.ConfirmedFraud, AlertStatus.FalsePositive],
        [AlertStatus.ConfirmedFraud] = [AlertStatus.Resolved],
        [AlertStatus.FalsePositive] = [AlertStatus.Resolved],
        [AlertStatus.Resolved] = [],
    };

    public static IReadOnlyList<string> Statuses { get; } = [.. Next.Keys];

    public static IReadOnlyList<string> From(string status) => Next.TryGetValue(status, out var next) ? next : [];

    public static bool Allows(string from, string to) => From(from).Contains(to, StringComparer.Ordinal);
}
