namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>A row of <c>user_accounts</c>: the user's risk profile (sql/postgres/0002_user_accounts.sql).</summary>
public sealed class UserAccount
{
    public required string UserId { get; set; }

    public int AlertsTotal { get; set; }

    public int CriticalAlerts { get; set; }

    public int HighAlerts { get; set; }

    public int MediumAlerts { get; set; }

    public int LowAlerts { get; set; }

    public int MinimalAlerts { get; set; }

    public decimal MaxFraudScore { get; set; }

    public DateTimeOffset? LastAlertAt { get; set; }

    public string RiskLevel { get; set; } = "MINIMAL";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }
}
