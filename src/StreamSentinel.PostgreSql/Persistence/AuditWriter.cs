using System.Text.Json;
using Npgsql;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain;

namespace StreamSentinel.PostgreSql.Persistence;

/// <summary>Stores audit events from Kafka in <c>system_audit_log</c>, each event id once, in one statement per batch.</summary>
public sealed class AuditWriter(NpgsqlDataSource dataSource)
{
    private static readonly string WriteEvents = EmbeddedSql.Read(typeof(AuditWriter).Assembly, "sql/queries/postgres/write_audit_events.sql");

    /// <summary>Inserts the events not stored yet; returns how many were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand(WriteEvents);
        command.Parameters.AddWithValue("event_ids", events.Select(e => e.EventId).ToArray());
        command.Parameters.AddWithValue("occurred_ats", events.Select(e => e.OccurredAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("actors", events.Select(e => e.Actor).ToArray());
        command.Parameters.AddWithValue("actions", events.Select(e => e.Action).ToArray());
        command.Parameters.AddWithValue("entity_types", events.Select(e => e.EntityType).ToArray());
        command.Parameters.AddWithValue("entity_ids", events.Select(e => e.EntityId).ToArray());
        command.Parameters.AddWithValue("details", events.Select(e => e.Details.ToJsonString(JsonOptions)).ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static readonly JsonSerializerOptions JsonOptions = ContractsJsonContext.Default.Options;
}
