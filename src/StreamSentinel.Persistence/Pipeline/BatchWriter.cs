using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Tracing;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;
using StreamSentinel.PostgreSql.Persistence;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// Writes results to both stores in two stages, each safe to call again on the same batch after any failure (it
/// resumes where the last attempt stopped). <see cref="WritePostgresAsync(PendingBatch, CancellationToken)"/>: the
/// alerts and the batch's span of each partition, one transaction, per poll batch. <see cref="WriteClickHouseAsync"/>:
/// the three ClickHouse tables, skipping rows a table already holds, per block of many poll batches (issue 17). A
/// result reaches ClickHouse only after PostgreSQL recorded its span, so nothing beyond a partition's recorded span is
/// ever in ClickHouse. The worker runs the PostgreSQL stage and the ClickHouse blocks each on a thread of its own while
/// its consumer thread reads the next batch and serves rebalances, so the state below is guarded by a lock.
/// </summary>
public sealed class BatchWriter(AlertWriter alerts, ResultWriter results, PersistenceMetrics metrics, IOptions<PersistenceOptions> options, TimeProvider time)
{
    private readonly PersistenceOptions _options = options.Value;

    private readonly Lock _gate = new();

    /// <summary>
    /// Partitions recently assigned, with the last span a previous owner recorded (null: not read yet): until
    /// consumption passes it, ClickHouse may already hold some of the rows. The only span that is ever looked up.
    /// </summary>
    private readonly Dictionary<(string Topic, int Partition), PartitionSpan?> _recovering = [];

    /// <summary>
    /// Per partition, the offset up to which every result is checked for a repeat, flagged or not. Two detection
    /// workers can briefly own one partition (a rebalance while the old owner finishes its batch); then the flagged
    /// copy of an event may land before the unflagged one, and only checking both finds the second. Set from each
    /// flagged result, recorded in PostgreSQL with the batch, and read back by the partition's next owner; in steady
    /// traffic without redeliveries it is -1 and nothing is looked up.
    /// </summary>
    private readonly Dictionary<(string Topic, int Partition), long> _suspectUntil = [];

    /// <summary>Newly assigned partitions: check ClickHouse for rows a previous owner wrote but did not commit.</summary>
    public void Assigned(IEnumerable<(string Topic, int Partition)> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _recovering[partition] = null;
                _suspectUntil.Remove(partition);
            }
        }
    }

    public void Revoked(IEnumerable<(string Topic, int Partition)> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _recovering.Remove(partition);
                _suspectUntil.Remove(partition);
            }
        }
    }

    /// <summary>Both stages, one after the other: the batch is in both stores when it returns.</summary>
    public async Task WriteAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        await WritePostgresAsync(batch, cancellationToken);
        await WriteClickHouseAsync(batch, cancellationToken);
    }

    /// <summary>
    /// The PostgreSQL stage of a poll batch: reads what a previous owner recorded of newly assigned partitions, then
    /// writes the alerts, the spans and the repeat windows in one transaction.
    /// </summary>
    public async Task WritePostgresAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.WriteStartedAt == default)
        {
            batch.WriteStartedAt = time.GetUtcNow();
        }

        if (batch.PostgresWritten)
        {
            return;
        }

        var spans = PartitionSpan.Of(batch.Results);
        await ReadRecordedProgressAsync(spans, cancellationToken);
        var suspicion = ExtendSuspicion(batch.Results);
        await WritePostgresAsync(batch, spans, suspicion, cancellationToken);
        batch.PostgresWritten = true;
        metrics.PostgresBatch(batch.Messages.Count);
        var alertCount = batch.Results.Count(r => r.IsAlert);
        if (alertCount > 0 && batch.FirstConsumedTimestamp != 0)
        {
            metrics.AlertsVisible(alertCount, batch.FirstConsumedTimestamp);
        }
    }

    /// <summary>
    /// The ClickHouse stage of a block (poll batches whose PostgreSQL stage is done, merged): skips rows a previous
    /// owner stored (only within its recorded span) and repeats of stored events (only within a repeat window), then
    /// inserts the rest into the three tables side by side.
    /// </summary>
    public async Task WriteClickHouseAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.WriteStartedAt == default)
        {
            batch.WriteStartedAt = time.GetUtcNow();
        }

        var spans = PartitionSpan.Of(batch.Results);
        await RecoverAsync(batch, spans, cancellationToken);

        if (!batch.RepeatsChecked)
        {
            await MarkRepeatsAsync(batch, cancellationToken);
            batch.RepeatsChecked = true;
        }

        // The three tables are independent: written side by side, so the server's cores share the work. Each keeps its
        // own progress, so a retry redoes only the tables that failed.
        var pending = ResultTable.All.Where(t => !batch.TablesWritten.Contains(t)).ToList();
        await Task.WhenAll(pending.Select(table => WriteTableAsync(batch, table, spans, cancellationToken)));

        var now = time.GetUtcNow();
        foreach (var result in batch.Results)
        {
            // Detection measured its latency from the transaction's intake: step back by it to find that moment.
            metrics.Stored(result.Result.DetectedAt.AddMilliseconds(-result.Result.DetectionLatencyMs), now);
            using var activity = PipelineTracing.StartProcess(Topics.DetectionResults, "persist", result.Trace, batch.WriteStartedAt);
            activity?.SetTag("stream_sentinel.event_id", result.Result.EventId);
            activity?.SetTag("stream_sentinel.alert", result.IsAlert);
            activity?.SetTag("stream_sentinel.repeat", batch.Repeats.Contains(result));
        }
    }

    private async Task WriteTableAsync(PendingBatch batch, ResultTable table, IReadOnlyList<PartitionSpan> spans, CancellationToken cancellationToken)
    {
        bool inDoubt;
        lock (batch)
        {
            inDoubt = batch.TablesInDoubt.Contains(table);
        }

        if (inDoubt)
        {
            await MarkStoredAsync(batch, table, spans, cancellationToken);
        }

        HashSet<PersistableResult>? stored;
        lock (batch)
        {
            stored = batch.AlreadyStored.GetValueOrDefault(table);
        }

        var rows = (stored is null || stored.Count == 0) && batch.Repeats.Count == 0
            ? batch.Results
            : [.. batch.Results.Where(r => !batch.Repeats.Contains(r) && stored?.Contains(r) != true)];
        var started = PersistenceMetrics.Now();
        lock (batch)
        {
            batch.TablesInDoubt.Add(table);
        }

        await results.InsertAsync(table, rows, cancellationToken);
        lock (batch)
        {
            batch.TablesInDoubt.Remove(table);
            batch.TablesWritten.Add(table);
        }

        metrics.Flushed("clickhouse", table.Name, rows.Count, started);
    }

    private async Task WritePostgresAsync(
        PendingBatch batch, IReadOnlyList<PartitionSpan> spans, IReadOnlyDictionary<(string Topic, int Partition), long> suspicion, CancellationToken cancellationToken)
    {
        var started = PersistenceMetrics.Now();
        try
        {
            var inserted = await alerts.WriteAsync(batch.Results, spans, suspicion, _options.ConsumerGroup, _options.Instance, cancellationToken);
            metrics.Flushed("postgres", "fraud_alerts", inserted, started);
        }
        catch (PostgresException e) when (PostgresErrors.IsRejectedData(e) && batch.Results.Any(r => r.IsAlert))
        {
            // A row the database refuses must not hold back the others: find it by halves, dead-letter it, write the rest.
            var rejected = await IsolateRejectedAsync(batch.Results.Where(r => r.IsAlert).ToList(), spans, cancellationToken);
            foreach (var (result, error) in rejected)
            {
                batch.Results.Remove(result);
                var original = batch.Messages.First(m => m.Partition.Value == result.Source.Partition && m.Offset.Value == result.Source.Offset && m.Topic == result.Source.Topic);
                batch.DeadLetters.Add(new DeadLetter(original, "rejected_by_postgres", $"{error.SqlState}: {error.MessageText}"));
            }

            await alerts.WriteAsync(batch.Results, spans, suspicion, _options.ConsumerGroup, _options.Instance, cancellationToken);
            metrics.Flushed("postgres", "fraud_alerts", batch.Results.Count(r => r.IsAlert), started);
        }
    }

    private async Task<List<(PersistableResult Result, PostgresException Error)>> IsolateRejectedAsync(
        List<PersistableResult> candidates, IReadOnlyList<PartitionSpan> spans, CancellationToken cancellationToken)
    {
        try
        {
            await alerts.WriteAsync(candidates, spans, _options.ConsumerGroup, _options.Instance, cancellationToken);
            return [];
        }
        catch (PostgresException e) when (PostgresErrors.IsRejectedData(e))
        {
            if (candidates.Count == 1)
            {
                return [(candidates[0], e)];
            }

            var half = candidates.Count / 2;
            var rejected = await IsolateRejectedAsync(candidates[..half], spans, cancellationToken);
            rejected.AddRange(await IsolateRejectedAsync(candidates[half..], spans, cancellationToken));
            return rejected;
        }
    }

    /// <summary>
    /// For partitions assigned since their progress was last read: what a previous owner of this group recorded, before
    /// this worker records anything of its own.
    /// </summary>
    private async Task ReadRecordedProgressAsync(IReadOnlyList<PartitionSpan> spans, CancellationToken cancellationToken)
    {
        List<PartitionSpan> unknown;
        lock (_gate)
        {
            unknown = [.. spans.Where(s => _recovering.TryGetValue((s.Topic, s.Partition), out var previous) && previous is null)];
        }

        foreach (var topic in unknown.GroupBy(s => s.Topic))
        {
            var recorded = await alerts.ReadProgressAsync(_options.ConsumerGroup, topic.Key, [.. topic.Select(s => s.Partition)], cancellationToken);
            lock (_gate)
            {
                foreach (var span in topic)
                {
                    var key = (span.Topic, span.Partition);
                    if (!_recovering.ContainsKey(key))
                    {
                        // Revoked meanwhile.
                        continue;
                    }

                    if (recorded.TryGetValue(span.Partition, out var previous))
                    {
                        _recovering[key] = previous.Span;
                        if (previous.RepeatSuspectUntil >= 0)
                        {
                            _suspectUntil[key] = Math.Max(_suspectUntil.GetValueOrDefault(key, -1), previous.RepeatSuspectUntil);
                        }
                    }
                    else
                    {
                        // Nobody in this group ever wrote this partition: nothing to find.
                        _recovering.Remove(key);
                    }
                }
            }
        }
    }

    /// <summary>Extends each partition's repeat window from the flagged results among <paramref name="batch"/>; returns the windows to record.</summary>
    private Dictionary<(string Topic, int Partition), long> ExtendSuspicion(IReadOnlyList<PersistableResult> batch)
    {
        var windows = new Dictionary<(string Topic, int Partition), long>();
        lock (_gate)
        {
            foreach (var flagged in batch)
            {
                if (flagged.MayRepeat)
                {
                    var key = (flagged.Source.Topic, flagged.Source.Partition);
                    _suspectUntil[key] = Math.Max(_suspectUntil.GetValueOrDefault(key, -1), flagged.Source.Offset + _options.RepeatSuspicionMessages);
                }
            }

            foreach (var result in batch)
            {
                var key = (result.Source.Topic, result.Source.Partition);
                if (!windows.ContainsKey(key) && _suspectUntil.TryGetValue(key, out var until))
                {
                    windows[key] = until;
                }
            }
        }

        return windows;
    }

    /// <summary>
    /// Before writing a block, find the rows a previous owner of its partitions already stored: only for partitions
    /// still inside the span that owner recorded, and only the block's offsets up to the end of that span.
    /// </summary>
    private async Task RecoverAsync(PendingBatch batch, IReadOnlyList<PartitionSpan> spans, CancellationToken cancellationToken)
    {
        // A partition assigned after its results' PostgreSQL stage (rare: revoked and assigned again) is read here.
        await ReadRecordedProgressAsync(spans, cancellationToken);
        var suspect = new List<PartitionSpan>();
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (_recovering.TryGetValue((span.Topic, span.Partition), out var previous) && previous is not null && span.FirstOffset <= previous.LastOffset)
                {
                    // Beyond the recorded span nothing can be stored: look up only the part of the block before its end.
                    suspect.Add(span.LastOffset <= previous.LastOffset ? span : span with { LastOffset = previous.LastOffset });
                }
            }
        }

        if (suspect.Count > 0)
        {
            foreach (var table in ResultTable.All)
            {
                await MarkStoredAsync(batch, table, suspect, cancellationToken);
            }
        }

        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (_recovering.TryGetValue((span.Topic, span.Partition), out var previous) && previous is not null && span.LastOffset >= previous.LastOffset)
                {
                    // Consumption has passed everything the previous owner could have written.
                    _recovering.Remove((span.Topic, span.Partition));
                }
            }
        }
    }

    /// <summary>
    /// Finds the results that repeat an event already stored, or stored earlier in the block, from another message.
    /// Detection flags a result it publishes for a redelivered transaction; those, and every result of a partition
    /// under suspicion (see <see cref="_suspectUntil"/>), are looked up; in steady traffic without redeliveries, nothing.
    /// Blocks are written one after another, so every earlier block is in ClickHouse when this one is checked.
    /// </summary>
    private async Task MarkRepeatsAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        List<PersistableResult> candidates;
        lock (_gate)
        {
            candidates = [.. batch.Results.Where(r => r.MayRepeat || r.Source.Offset <= _suspectUntil.GetValueOrDefault((r.Source.Topic, r.Source.Partition), -1))];
        }

        if (candidates.Count == 0)
        {
            return;
        }

        // Within the batch: the first message of an event is the one stored.
        var first = new Dictionary<string, KafkaCoordinates>(StringComparer.Ordinal);
        foreach (var result in batch.Results.OrderBy(r => r.Source.Partition).ThenBy(r => r.Source.Offset))
        {
            first.TryAdd(result.Result.EventId, result.Source);
        }

        var stored = await results.StoredEventsAsync(candidates, cancellationToken);
        foreach (var candidate in candidates)
        {
            var elsewhere = stored.TryGetValue(candidate.Result.EventId, out var at) && at.Any(c => c != candidate.Source);
            if (elsewhere || first[candidate.Result.EventId] != candidate.Source)
            {
                batch.Repeats.Add(candidate);
            }
        }

        metrics.Repeats(batch.Repeats.Count);
    }

    /// <summary>Adds to the batch's "already stored" set the rows <paramref name="table"/> holds, matched by offset and event id.</summary>
    private async Task MarkStoredAsync(PendingBatch batch, ResultTable table, IReadOnlyList<PartitionSpan> spans, CancellationToken cancellationToken)
    {
        HashSet<PersistableResult> stored;
        lock (batch)
        {
            stored = batch.AlreadyStored.TryGetValue(table, out var set) ? set : batch.AlreadyStored[table] = PendingBatch.StoredSet([]);
        }

        var before = stored.Count;
        foreach (var span in spans)
        {
            // The event id must match too: after a development broker restart, offsets start again from 0.
            var existing = await results.ExistingOffsetsAsync(table, span, cancellationToken);
            stored.UnionWith(batch.Results.Where(r =>
                r.Source.Topic == span.Topic && r.Source.Partition == span.Partition
                && existing.TryGetValue(r.Source.Offset, out var eventId) && eventId == r.Result.EventId));
        }

        metrics.RecoveredRows(table.Name, stored.Count - before);
    }
}
