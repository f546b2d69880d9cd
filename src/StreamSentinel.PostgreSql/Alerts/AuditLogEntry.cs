using StreamSentinel.Contracts;

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

    /// <summary>The id of the audit event this entry records (the same one published to audit-events); null for entries written with an alert.</summary>
    public Guid? EventId { get; set; }

    /// <summary>The entry that records <paramref name="audit"/>, the event the console also publishes.</summary>
    public static AuditLogEntry Of(AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return new AuditLogEntry
        {
            EventId = audit.EventId,
            OccurredAt = audit.OccurredAt,
            Actor = audit.Actor,
            Action = audit.Action,
            EntityType = audit.EntityType,
            EntityId = audit.EntityId,
            Details = audit.Details.ToJsonString(),
        };
    }
}
