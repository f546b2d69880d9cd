namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>A row of <c>fraud_alerts</c> (sql/postgres/0001_fraud_alerts.sql).</summary>
public sealed class FraudAlert
{
    public Guid Id { get; set; }

    public required string TransactionId { get; set; }

    public required string EventId { get; set; }

    public required string UserId { get; set; }

    /// <summary>MINIMAL, LOW, MEDIUM, HIGH or CRITICAL (a CHECK constraint holds the list).</summary>
    public required string Severity { get; set; }

    /// <summary>Computed by the database from <see cref="Severity"/>; read-only here.</summary>
    public short SeverityRank { get; private set; }

    public decimal FraudScore { get; set; }

    public string[] BusinessRulesTriggered { get; set; } = [];

    /// <summary>The structured explanation as JSON text (a JSONB column).</summary>
    public string Explanation { get; set; } = "{}";

    /// <summary>PENDING, INVESTIGATING, CONFIRMED_FRAUD, FALSE_POSITIVE or RESOLVED.</summary>
    public string Status { get; set; } = AlertStatus.Pending;

    public string? Assignee { get; set; }

    /// <summary>The case it belongs to (sql/postgres/0011_fraud_cases.sql); null only until the writer's transaction assigns it.</summary>
    public Guid? CaseId { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public required string MerchantId { get; set; }

    public required string MerchantCategory { get; set; }

    public required string Country { get; set; }

    public required string ModelName { get; set; }

    public required string ModelVersion { get; set; }

    public DateTimeOffset EventTime { get; set; }

    public DateTimeOffset DetectedAt { get; set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>PostgreSQL's row version (<c>xmin</c>): two analysts never overwrite each other silently.</summary>
    public uint RowVersion { get; private set; }
}
