using System.Diagnostics.Metrics;
using StreamSentinel.Gateway.Intake;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Gateway.Diagnostics;

/// <summary>The gateway's instruments (meter <c>StreamSentinel.Gateway</c>), exported on /metrics.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "StreamSentinel.Gateway";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _produce;
    private readonly Counter<long> _produced;

    /// <summary>What these instruments mean in the gateway's performance snapshots (it has no batches, lag or dead letters).</summary>
    public static PerformanceProfile Profile { get; } = new(MeterName, new Dictionary<string, SnapshotField>
    {
        ["stream_sentinel.gateway.accepted"] = SnapshotField.MessagesIn,
        ["stream_sentinel.gateway.produced"] = SnapshotField.MessagesOut,
        ["stream_sentinel.gateway.produce.duration"] = SnapshotField.FlushLatency,
        ["stream_sentinel.gateway.produce.retries"] = SnapshotField.Errors,
    });

    public GatewayMetrics(IMeterFactory meterFactory, IntakeBuffer queue)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(queue);
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("stream_sentinel.gateway.accepted", "{transaction}", "Transactions accepted into the queue.");
        _rejected = meter.CreateCounter<long>("stream_sentinel.gateway.rejected", "{transaction}", "Transactions refused as invalid, per reason.");
        _throttled = meter.CreateCounter<long>("stream_sentinel.gateway.throttled", "{transaction}", "Transactions refused for now (429/503), per reason: rate, concurrency, client_share, queue_full, closed.");
        _produced = meter.CreateCounter<long>("stream_sentinel.gateway.produced", "{transaction}", "Transactions Kafka acknowledged.");
        _retries = meter.CreateCounter<long>("stream_sentinel.gateway.produce.retries", "{attempt}", "Deliveries that failed and are tried again.");
        _produce = meter.CreateHistogram<double>(
            "stream_sentinel.gateway.produce.duration", "s", "From handing a transaction to the producer to Kafka's acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        meter.CreateObservableGauge("stream_sentinel.gateway.queue.depth", () => queue.Depth, "{transaction}", "Accepted transactions waiting for the producer.");
    }

    public void Accepted(int count) => _accepted.Add(count);

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Throttled(int count, string reason) => _throttled.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void ProduceRetried(string error) => _retries.Add(1, new KeyValuePair<string, object?>("error.type", error));

    public void Produced(TimeSpan duration)
    {
        _produced.Add(1);
        _produce.Record(duration.TotalSeconds);
    }
}
