using System.Diagnostics.Metrics;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Detection.Diagnostics;

/// <summary>The detection worker's instruments (meter <c>StreamSentinel.Detection</c>), exported on /metrics.</summary>
public sealed class DetectionMetrics
{
    public const string MeterName = "StreamSentinel.Detection";

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _results;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _ruleHits;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<double> _redis;
    private readonly Histogram<double> _score;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _loaded;
    private readonly Counter<long> _evicted;
    private readonly Meter _meter;

    /// <summary>What these instruments mean in the worker's performance snapshots.</summary>
    public static PerformanceProfile Profile { get; } = new(MeterName, new Dictionary<string, SnapshotField>
    {
        ["messaging.client.consumed.messages"] = SnapshotField.MessagesIn,
        ["stream_sentinel.detection.results"] = SnapshotField.MessagesOut,
        ["stream_sentinel.detection.batch.size"] = SnapshotField.BatchSize,
        ["db.client.operation.duration"] = SnapshotField.FlushLatency,
        ["stream_sentinel.detection.end_to_end.duration"] = SnapshotField.EndToEndLatency,
        ["stream_sentinel.detection.retries"] = SnapshotField.Errors,
        ["stream_sentinel.detection.dead_letters"] = SnapshotField.DeadLettered,
        ["messaging.kafka.consumer.lag"] = SnapshotField.ConsumerLag,
    });

    public DetectionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = _meter = meterFactory.Create(MeterName);
        _consumed = meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Transactions read from Kafka.");
        _results = meter.CreateCounter<long>("stream_sentinel.detection.results", "{result}", "Results published and acknowledged, per severity.");
        _deadLetters = meter.CreateCounter<long>("stream_sentinel.detection.dead_letters", "{message}", "Transactions sent to the dead-letter topic, per reason.");
        _ruleHits = meter.CreateCounter<long>("stream_sentinel.detection.rule_hits", "{hit}", "Business rules that fired, per rule.");
        _retries = meter.CreateCounter<long>("stream_sentinel.detection.retries", "{attempt}", "Failed Redis calls, checkpoints and deliveries that will be tried again.");
        _endToEnd = meter.CreateHistogram<double>(
            "stream_sentinel.detection.end_to_end.duration", "s", "From the transaction's intake (or its Kafka timestamp) to its result's acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _redis = meter.CreateHistogram<double>(
            "db.client.operation.duration", "s", "One call to the state's changelog in Redis: a partition claimed, a batch's absent users read, a checkpoint written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _score = meter.CreateHistogram<double>(
            "stream_sentinel.detection.score", "1", "Fraud scores given.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] });
        _batchSize = meter.CreateHistogram<int>(
            "stream_sentinel.detection.batch.size", "{message}", "Transactions per batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 5000] });
        _skipped = meter.CreateCounter<long>(
            "stream_sentinel.detection.skipped", "{message}",
            "Transactions not applied again: already in the restored state (a redelivery), or the same payment sent twice.");
        _loaded = meter.CreateCounter<long>("stream_sentinel.detection.state.loaded", "{user}", "Users read back from Redis into memory.");
        _evicted = meter.CreateCounter<long>("stream_sentinel.detection.state.evicted", "{user}", "Users that left memory (idle, or beyond the cap), their state saved in Redis.");
        Lag = new PartitionLag(meter, "Messages behind the end of each assigned partition, after the last commit.");
        Gaps = new OffsetGaps(meter);
    }

    /// <summary>Lag per assigned partition (the <c>messaging.kafka.consumer.lag</c> gauge).</summary>
    public PartitionLag Lag { get; }

    /// <summary>Transactions Kafka deleted before this worker's group read them (see <see cref="OffsetGaps"/>).</summary>
    public OffsetGaps Gaps { get; }

    public void Consumed(int count) => _consumed.Add(count);

    public void Batch(int size) => _batchSize.Record(size);

    public void StateCall(string operation, TimeSpan duration) =>
        _redis.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("db.system.name", "redis"), new KeyValuePair<string, object?>("db.operation.name", operation));

    public void Skipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Loaded(int users) => _loaded.Add(users);

    public void Evicted(int users) => _evicted.Add(users);

    /// <summary>The users whose state this worker holds in memory, read when metrics are collected.</summary>
    public void ObserveResidentUsers(Func<int> residentUsers) =>
        _meter.CreateObservableGauge("stream_sentinel.detection.state.resident_users", residentUsers, "{user}", "Users whose state is in this worker's memory.");

    /// <summary>A result acknowledged by Kafka: its severity, score and rules, and how long it took since intake.</summary>
    public void Published(Severity severity, double score, IReadOnlyList<string> rules, TimeSpan endToEnd)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _results.Add(1, new KeyValuePair<string, object?>("severity", SeverityNames.Of(severity)));
        _score.Record(score);
        _endToEnd.Record(Math.Max(0, endToEnd.TotalSeconds));
        foreach (var rule in rules)
        {
            _ruleHits.Add(1, new KeyValuePair<string, object?>("rule", rule));
        }
    }

    public void DeadLettered(string reason) => _deadLetters.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retried(string error) => _retries.Add(1, new KeyValuePair<string, object?>("error.type", error));
}
