namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>A row of <c>system_audit_log</c> (sql/postgres/0003_system_audit_log.sql).</summary>
public sealed class AuditLogEntry
{
    public long Id { get; private set; }

    public DateTimeOffset OccurredAt { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string EntityType { get; set; }

    public required string EntityId { get; set; }

    /// <summary>JSON text (a JSONB column).</summary>
    public string Details { get; set; } = "{}";
}
