using System.Globalization;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;
using StreamSentinel.PostgreSql.Persistence;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>A batch of the operational streams: audit events and performance snapshots, and how far their writes got.</summary>
public sealed class OperationalBatch(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages) : IHeldBatch
{
    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Messages { get; } = messages;

    public List<(AuditEvent Event, ConsumeResult<byte[]?, byte[]?> Message)> Audits { get; } = [];

    public List<(PerformanceSnapshot Snapshot, KafkaCoordinates Source)> Snapshots { get; } = [];

    public int PostgresRows => Audits.Count;

    public List<DeadLetter> DeadLetters { get; } = [];

    public bool AuditsWritten { get; set; }

    public bool SnapshotsWritten { get; set; }

    public bool VerdictsWritten { get; set; }

    public bool DeadLettersPublished { get; set; }

    public int Attempts { get; set; }

    public long FirstConsumedTimestamp { get; set; }
}

/// <summary>
/// The fleet's operational streams: <c>audit-events</c> into PostgreSQL <c>system_audit_log</c> and
/// <c>performance-metrics</c> into ClickHouse <c>performance_metrics</c>. Each event and snapshot carries its own id;
/// PostgreSQL skips ids it holds (ON CONFLICT), and ClickHouse is asked which ids it holds before every insert, so a
/// batch read again stores nothing twice.
/// </summary>
public sealed class OperationalStore(
    IOptions<PersistenceOptions> options, AuditWriter audits, PerformanceWriter snapshots, VerdictWriter verdicts, PersistenceMetrics metrics,
    AuditSignature signature) : IBatchStore<OperationalBatch>
{
    private readonly MessageReader<AuditEvent> _auditReader = ContractReaders.AuditEvents(options.Value.MaxMessageBytes);
    private readonly MessageReader<PerformanceSnapshot> _snapshotReader = ContractReaders.PerformanceSnapshots(options.Value.MaxMessageBytes);

    public string Name => "operational";

    public IReadOnlyList<string> Topics { get; } = [StreamSentinel.Kafka.Topics.AuditEvents, StreamSentinel.Kafka.Topics.PerformanceMetrics];

    public string ConsumerGroup => options.Value.OperationalConsumerGroup;

    public OperationalBatch Parse(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages)
    {
        var batch = new OperationalBatch(messages);
        foreach (var message in messages)
        {
            MessageError? error;
            if (message.Topic == StreamSentinel.Kafka.Topics.AuditEvents)
            {
                if (_auditReader.TryRead(message.Message.Value, out var audit, out error))
                {
                    // What the console or a person did is believed only with the console's signature: anyone who
                    // reaches the broker could otherwise write an analyst's verdict (issue 18, item 3).
                    if (AuditSignature.Required(audit) && signature.Check(message.Message.Headers, message.Message.Value) is { } refused)
                    {
                        batch.DeadLetters.Add(new DeadLetter(message, refused.Reason, refused.Detail));
                        continue;
                    }

                    batch.Audits.Add((audit, message));
                    continue;
                }
            }
            else if (_snapshotReader.TryRead(message.Message.Value, out var snapshot, out error))
            {
                batch.Snapshots.Add((snapshot, new KafkaCoordinates(message.Topic, message.Partition.Value, message.Offset.Value)));
                continue;
            }

            batch.DeadLetters.Add(new DeadLetter(message, error.Code, error.Detail));
        }

        return batch;
    }

    public async Task WriteAsync(OperationalBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!batch.AuditsWritten)
        {
            var started = PersistenceMetrics.Now();
            var inserted = await WriteAuditsAsync(batch, cancellationToken);
            metrics.Flushed("postgres", "system_audit_log", inserted, started);
            batch.AuditsWritten = true;
        }

        if (!batch.VerdictsWritten)
        {
            // Analysts' verdicts (status changes to CONFIRMED_FRAUD or FALSE_POSITIVE) also go to ClickHouse, where the
            // model's precision is computed from them.
            var started = PersistenceMetrics.Now();
            var decided = batch.Audits.Select(a => Verdict(a.Event, a.Message)).OfType<AlertVerdict>().ToList();
            var inserted = await verdicts.WriteAsync(decided, cancellationToken);
            metrics.RecoveredRows(VerdictWriter.Table, decided.Count - inserted);
            metrics.Flushed("clickhouse", VerdictWriter.Table, inserted, started);
            batch.VerdictsWritten = true;
        }

        if (!batch.SnapshotsWritten)
        {
            var started = PersistenceMetrics.Now();
            // Asked on every attempt: an insert that failed on the way back may have been stored.
            var stored = await snapshots.StoredAsync([.. batch.Snapshots.Select(s => s.Snapshot)], cancellationToken);
            var rows = batch.Snapshots.Where(s => stored.Add(s.Snapshot.SnapshotId)).ToList();
            metrics.RecoveredRows(PerformanceWriter.Table, batch.Snapshots.Count - rows.Count);
            await snapshots.InsertAsync(rows, cancellationToken);
            metrics.Flushed("clickhouse", PerformanceWriter.Table, rows.Count, started);
            batch.SnapshotsWritten = true;
        }
    }

    private async Task<int> WriteAuditsAsync(OperationalBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            return await audits.WriteAsync([.. batch.Audits.Select(a => a.Event)], cancellationToken);
        }
        catch (PostgresException e) when (PostgresErrors.IsRejectedData(e))
        {
            // One event the database refuses must not hold back the rest: audit batches are small, so try each alone.
            var inserted = 0;
            foreach (var (audit, message) in batch.Audits.ToList())
            {
                try
                {
                    inserted += await audits.WriteAsync([audit], cancellationToken);
                }
                catch (PostgresException refused) when (PostgresErrors.IsRejectedData(refused))
                {
                    batch.Audits.Remove((audit, message));
                    batch.DeadLetters.Add(new DeadLetter(message, "rejected_by_postgres", $"{refused.SqlState}: {refused.MessageText}"));
                }
            }

            return inserted;
        }
    }

    /// <summary>The verdict an audit event records, or null when it records something else (or lacks what a verdict needs).</summary>
    private static AlertVerdict? Verdict(AuditEvent audit, ConsumeResult<byte[]?, byte[]?> message)
    {
        var details = audit.Details;
        string? Text(string name) => details[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (audit.Action != "alert.status_changed" || Text("to") is not ("CONFIRMED_FRAUD" or "FALSE_POSITIVE") || Text("transaction_id") is not { } transactionId
            || Text("event_id") is not { } eventId || Text("model_name") is not { } modelName || Text("model_version") is not { } modelVersion
            || !DateTimeOffset.TryParse(Text("detected_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var detected))
        {
            return null;
        }

        return new AlertVerdict(
            audit.EventId, audit.EntityId, transactionId, eventId, modelName, modelVersion, Text("to")!, audit.Actor, detected, audit.OccurredAt,
            new KafkaCoordinates(message.Topic, message.Partition.Value, message.Offset.Value));
    }

    public OperationalBatch Merge(OperationalBatch earlier, OperationalBatch later)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        var merged = new OperationalBatch([.. earlier.Messages, .. later.Messages]) { FirstConsumedTimestamp = earlier.FirstConsumedTimestamp };
        merged.Audits.AddRange(earlier.Audits);
        merged.Audits.AddRange(later.Audits);
        merged.Snapshots.AddRange(earlier.Snapshots);
        merged.Snapshots.AddRange(later.Snapshots);
        merged.DeadLetters.AddRange(earlier.DeadLetters);
        merged.DeadLetters.AddRange(later.DeadLetters);
        return merged;
    }

    public OperationalBatch Without(OperationalBatch batch, IReadOnlyCollection<TopicPartition> revoked)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var kept = new OperationalBatch([.. batch.Messages.Where(m => !revoked.Contains(m.TopicPartition))])
        {
            AuditsWritten = batch.AuditsWritten,
            SnapshotsWritten = batch.SnapshotsWritten,
            VerdictsWritten = batch.VerdictsWritten,
            DeadLettersPublished = batch.DeadLettersPublished,
            Attempts = batch.Attempts,
        };
        kept.Audits.AddRange(batch.Audits.Where(a => !revoked.Contains(a.Message.TopicPartition)));
        kept.Snapshots.AddRange(batch.Snapshots.Where(s => !revoked.Contains(new TopicPartition(s.Source.Topic, s.Source.Partition))));
        kept.DeadLetters.AddRange(batch.DeadLetters.Where(d => !revoked.Contains(d.Original.TopicPartition)));
        return kept;
    }

    // Nothing to track per partition: every id is checked on every write.
    public void Assigned(IReadOnlyCollection<TopicPartition> partitions)
    {
    }

    public void Revoked(IReadOnlyCollection<TopicPartition> partitions)
    {
    }
}
