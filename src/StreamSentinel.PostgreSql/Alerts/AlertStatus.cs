namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>The values of <c>fraud_alerts.status</c>, as the CHECK constraint spells them.</summary>
public static class AlertStatus
{
    public const string Pending = "PENDING";
    public const string Investigating = "INVESTIGATING";
    public const string ConfirmedFraud = "CONFIRMED_FRAUD";
    public const string FalsePositive = "FALSE_POSITIVE";
    public const string Resolved = "RESOLVED";
}
