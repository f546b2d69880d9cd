using System.Text.Json.Nodes;

namespace StreamSentinel.Contracts;

/// <summary>
/// Who or what did what to which entity, and when: published to <c>audit-events</c> by every worker (start, stop,
/// configuration, partitions, model, dead letters) and stored once in PostgreSQL <c>system_audit_log</c>.
/// </summary>
/// <remarks><see cref="EventId"/> is made once, where the event happens: a copy of the message is the same event.</remarks>
public sealed record AuditEvent
{
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public Guid EventId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The worker (<c>kind/instance</c>) or person who acted.</summary>
    public string Actor { get; init; } = "";

    /// <summary>Dotted lower-case verb phrase, e.g. <c>partitions.assigned</c>; see <see cref="AuditActions"/>.</summary>
    public string Action { get; init; } = "";

    public string EntityType { get; init; } = "";

    public string EntityId { get; init; } = "";

    /// <summary>What else is worth knowing, as a JSON object (stored as JSONB).</summary>
    public JsonObject Details { get; init; } = [];

    public const int CurrentSchemaVersion = 1;
}

/// <summary>The actions the fleet itself records. Analysts' actions add their own.</summary>
public static class AuditActions
{
    public const string WorkerStarted = "worker.started";
    public const string WorkerStopped = "worker.stopped";
    public const string ConfigurationLoaded = "configuration.loaded";
    public const string PartitionsAssigned = "partitions.assigned";
    public const string PartitionsRevoked = "partitions.revoked";
    public const string ModelLoaded = "model.loaded";
    public const string MessagesDeadLettered = "messages.dead_lettered";

    /// <summary>Messages deleted from Kafka (retention) before the group read them: lost, and reported by <c>verify</c>.</summary>
    public const string MessagesSkipped = "messages.skipped";
}
