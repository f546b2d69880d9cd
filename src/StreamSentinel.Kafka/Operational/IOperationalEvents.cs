using System.Text.Json.Nodes;
using StreamSentinel.Contracts;

namespace StreamSentinel.Kafka.Operational;

/// <summary>Where a worker reports what it did (partitions, model, dead letters) for the audit trail.</summary>
public interface IOperationalEvents
{
    /// <summary>Records an audit event; never blocks and never throws for Kafka's sake.</summary>
    void Audit(string action, string entityType, string entityId, JsonObject? details = null);

    /// <summary>Publishes an audit event made elsewhere (e.g. one also written to the database in a transaction, with the same id).</summary>
    void Publish(AuditEvent audit);

    /// <summary>For a worker whose operational streams are switched off.</summary>
    static IOperationalEvents None { get; } = new Silent();

    private sealed class Silent : IOperationalEvents
    {
        public void Audit(string action, string entityType, string entityId, JsonObject? details = null)
        {
        }

        public void Publish(AuditEvent audit)
        {
        }
    }
}

internal sealed class PublishedOperationalEvents(OperationalPublisher publisher) : IOperationalEvents
{
    public void Audit(string action, string entityType, string entityId, JsonObject? details = null) =>
        publisher.Audit(action, entityType, entityId, details);

    public void Publish(AuditEvent audit) => publisher.Publish(audit);
}
