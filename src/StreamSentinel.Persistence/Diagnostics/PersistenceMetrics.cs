using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Persistence.Diagnostics;

/// <summary>The persistence worker's instruments (meter <c>StreamSentinel.Persistence</c>), exported on /metrics.</summary>
public sealed class PersistenceMetrics
{
    public const string MeterName = "StreamSentinel.Persistence";

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _committed;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<int> _postgresBatchSize;
    private readonly Histogram<double> _flushDuration;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _recovered;
    private readonly Counter<long> _repeats;
    private readonly Histogram<double> _alertVisible;
    private readonly Histogram<int> _blockSize;
    private readonly ConcurrentDictionary<string, int> _paused = new(StringComparer.Ordinal);

    /// <summary>What these instruments mean in the worker's performance snapshots.</summary>
    public static PerformanceProfile Profile { get; } = new(MeterName, new Dictionary<string, SnapshotField>
    {
        ["messaging.client.consumed.messages"] = SnapshotField.MessagesIn,
        ["stream_sentinel.persistence.committed"] = SnapshotField.MessagesOut,
        ["stream_sentinel.persistence.batch.size"] = SnapshotField.BatchSize,
        ["stream_sentinel.persistence.flush.duration"] = SnapshotField.FlushLatency,
        ["stream_sentinel.persistence.end_to_end.duration"] = SnapshotField.EndToEndLatency,
        ["stream_sentinel.persistence.retries"] = SnapshotField.Errors,
        ["stream_sentinel.persistence.dead_letters"] = SnapshotField.DeadLettered,
        ["messaging.kafka.consumer.lag"] = SnapshotField.ConsumerLag,
    });

    public PersistenceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _consumed = meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Results read from Kafka.");
        _batches = meter.CreateCounter<long>("stream_sentinel.persistence.batches", "{batch}", "Batches written to both stores and committed.");
        _committed = meter.CreateCounter<long>("stream_sentinel.persistence.committed", "{message}", "Messages stored (or dead-lettered) and committed.");
        _endToEnd = meter.CreateHistogram<double>(
            "stream_sentinel.persistence.end_to_end.duration", "s", "From a transaction's intake to its result being in every store.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _batchSize = meter.CreateHistogram<int>(
            "stream_sentinel.persistence.batch.size", "{message}", "Messages per committed batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000, 50000] });
        _postgresBatchSize = meter.CreateHistogram<int>(
            "stream_sentinel.persistence.postgres.batch.size", "{message}",
            "Messages of the results stream per PostgreSQL transaction: poll batches read while the previous transaction runs are written together.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] });
        _flushDuration = meter.CreateHistogram<double>(
            "stream_sentinel.persistence.flush.duration", "s", "Time to write one batch into one table.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10] });
        _rows = meter.CreateCounter<long>("stream_sentinel.persistence.rows", "{row}", "Rows written, per store and table.");
        _deadLetters = meter.CreateCounter<long>("stream_sentinel.persistence.dead_letters", "{message}", "Messages sent to the dead-letter topic, per reason.");
        _retries = meter.CreateCounter<long>("stream_sentinel.persistence.retries", "{attempt}", "Failed batch writes that will be tried again.");
        _repeats = meter.CreateCounter<long>("stream_sentinel.persistence.repeated_results", "{result}", "Results whose event was already stored from an earlier message (detection published it twice), not stored again.");
        _recovered = meter.CreateCounter<long>("stream_sentinel.persistence.recovered_rows", "{row}", "Rows found already stored after a crash or rebalance, and skipped.");
        meter.CreateObservableGauge(
            "stream_sentinel.persistence.paused",
            () => _paused.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("stream", p.Key))),
            "{state}",
            "1 while a stream's partitions are paused for a database outage.");
        _alertVisible = meter.CreateHistogram<double>(
            "stream_sentinel.persistence.alert.visible.duration", "s", "From the first message of a poll batch being consumed to its alerts being committed in PostgreSQL, per alert.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] });
        _blockSize = meter.CreateHistogram<int>(
            "stream_sentinel.persistence.block.size", "{result}", "Results per ClickHouse block.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [100, 1000, 5000, 10000, 25000, 50000, 100000, 150000, 200000, 500000] });
        Lag = new PartitionLag(meter, "Messages behind the end of each assigned partition.");
        Gaps = new OffsetGaps(meter);
    }

    /// <summary>The streams whose partitions are paused for an outage (results, operational).</summary>
    public IReadOnlyList<string> PausedStreams => [.. _paused.Where(p => p.Value == 1).Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <summary>Records whether <paramref name="stream"/> is paused; true if that changed it. Each stream's loop is its only writer.</summary>
    public bool SetPaused(string stream, bool paused)
    {
        var value = paused ? 1 : 0;
        var previous = _paused.GetValueOrDefault(stream);
        _paused[stream] = value;
        return previous != value;
    }

    /// <summary>Lag per assigned partition (the <c>messaging.kafka.consumer.lag</c> gauge).</summary>
    public PartitionLag Lag { get; }

    /// <summary>Messages Kafka deleted before this worker's group read them (see <see cref="OffsetGaps"/>).</summary>
    public OffsetGaps Gaps { get; }

    public static long Now() => Stopwatch.GetTimestamp();

    public void Consumed(int count) => _consumed.Add(count);

    public void Committed(int messages)
    {
        _batches.Add(1);
        _committed.Add(messages);
        _batchSize.Record(messages);
    }

    /// <summary>A batch of <paramref name="messages"/> results (and poison) is in PostgreSQL: its alerts and spans, one transaction.</summary>
    public void PostgresBatch(int messages) => _postgresBatchSize.Record(messages);

    public void Flushed(string store, string table, long rows, long startedTimestamp)
    {
        var tags = new TagList { { "db.system", store }, { "db.collection.name", table } };
        _flushDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        _rows.Add(rows, tags);
    }

    /// <summary>A result is in every store: <paramref name="intake"/> is when its transaction entered the pipeline.</summary>
    public void Stored(DateTimeOffset intake, DateTimeOffset now) => _endToEnd.Record(Math.Max(0, (now - intake).TotalSeconds));

    public void DeadLettered(string reason) => _deadLetters.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retried(string error) => _retries.Add(1, new KeyValuePair<string, object?>("error.type", error));

    public void RecoveredRows(string table, long rows) => _recovered.Add(rows, new KeyValuePair<string, object?>("db.collection.name", table));

    public void Repeats(long results) => _repeats.Add(results);

    /// <summary><paramref name="alerts"/> committed in PostgreSQL, from a poll batch whose first message was consumed at <paramref name="firstConsumedTimestamp"/>.</summary>
    public void AlertsVisible(int alerts, long firstConsumedTimestamp)
    {
        var seconds = Stopwatch.GetElapsedTime(firstConsumedTimestamp).TotalSeconds;
        for (var i = 0; i < alerts; i++)
        {
            _alertVisible.Record(seconds);
        }
    }

    public void BlockSealed(int results) => _blockSize.Record(results);

}
