using System.Text.Json;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>One line of the queue. <see cref="Version"/> is what a change must send back in <c>If-Match</c>.</summary>
public sealed record AlertSummary(
    Guid Id,
    string TransactionId,
    string UserId,
    string Severity,
    decimal FraudScore,
    string Status,
    string? Assignee,
    decimal Amount,
    string Currency,
    string MerchantId,
    string Country,
    IReadOnlyList<string> BusinessRulesTriggered,
    DateTimeOffset DetectedAt,
    DateTimeOffset CreatedAt,
    uint Version,
    Guid? CaseId)
{
    public static AlertSummary Of(FraudAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new(
            alert.Id, alert.TransactionId, alert.UserId, alert.Severity, alert.FraudScore, alert.Status, alert.Assignee, alert.Amount,
            alert.Currency, alert.MerchantId, alert.Country, alert.BusinessRulesTriggered, alert.DetectedAt, alert.CreatedAt, alert.RowVersion, alert.CaseId);
    }
}

/// <summary>A page of the queue; <see cref="NextCursor"/> fetches the next one, null on the last.</summary>
public sealed record AlertPage(IReadOnlyList<AlertSummary> Items, string? NextCursor);

/// <summary>Everything an analyst needs to decide: the alert, why it fired, the user's recent payments and the alert's history.</summary>
public sealed record AlertDetail(
    AlertSummary Alert,
    JsonElement Explanation,
    string ModelName,
    string ModelVersion,
    string MerchantCategory,
    DateTimeOffset EventTime,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> AllowedNext,
    IReadOnlyList<RecentTransaction> RecentTransactions,
    IReadOnlyList<HistoryEntry> History);

public sealed record RecentTransaction(
    string TransactionId, DateTimeOffset EventTime, decimal Amount, string Currency, string MerchantId, string MerchantCategory, string Country, string Channel, string DeviceId);

public sealed record HistoryEntry(DateTimeOffset OccurredAt, string Actor, string Action, JsonElement Details);

/// <summary>The body of a status change.</summary>
public sealed record StatusChange(string Status, string? Assignee, string? Note);
