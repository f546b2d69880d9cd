using System.Diagnostics.Metrics;
using StreamSentinel.Contracts;
using StreamSentinel.Hosting.Diagnostics;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// Listens to the worker's own instruments (the ones /metrics exports) and turns each interval into a
/// <see cref="PerformanceSnapshot"/>: counts since the last snapshot, latency percentiles from every value.
/// </summary>
/// <remarks>
/// Reading the instruments, rather than asking each worker for numbers, keeps the snapshot and /metrics telling the
/// same story and adds nothing to a worker's hot path but one uncontended lock per measurement. Only meters of this
/// host's <see cref="IMeterFactory"/> are read, so two hosts in one process do not mix.
/// </remarks>
public sealed class PerformanceCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private Interval _current;
    private long _lagSum;
    private bool _lagSeen;

    public PerformanceCollector(IMeterFactory meterFactory, PerformanceProfile profile, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(profile);
        _time = time;
        _current = new Interval(time.GetUtcNow());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && instrument.Meter.Name == profile.MeterName
                && profile.Instruments.TryGetValue(instrument.Name, out var field))
            {
                listener.EnableMeasurementEvents(instrument, field);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => Record((SnapshotField)state!, value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, state) => Record((SnapshotField)state!, value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => Record((SnapshotField)state!, value));
        _listener.Start();
    }

    /// <summary>Closes the current interval and returns what happened in it. Called from one thread at a time.</summary>
    public PerformanceSnapshot Take(WorkerIdentity worker, long dropped)
    {
        ArgumentNullException.ThrowIfNull(worker);
        // Gauges report when asked, on this thread: the lag fields are only touched here (Take is never concurrent).
        _lagSum = 0;
        _lagSeen = false;
        _listener.RecordObservableInstruments();
        long? lag = _lagSeen ? _lagSum : null;
        Interval closed;
        lock (_gate)
        {
            closed = _current;
            _current = new Interval(_time.GetUtcNow());
        }

        return new PerformanceSnapshot
        {
            SnapshotId = Guid.CreateVersion7(),
            WorkerId = worker.Instance,
            WorkerKind = worker.Kind,
            IntervalStart = closed.Start,
            IntervalEnd = _current.Start,
            MessagesIn = closed.MessagesIn,
            MessagesOut = closed.MessagesOut,
            Batches = closed.Batches,
            BatchSizeAvg = closed.Batches == 0 ? 0 : Math.Round((double)closed.BatchItems / closed.Batches, 3),
            BatchSizeMax = closed.BatchMax,
            FlushLatencyMs = closed.Flush.Summarize(),
            EndToEndLatencyMs = closed.EndToEnd.Summarize(),
            ConsumerLag = lag,
            Errors = closed.Errors,
            DeadLettered = closed.DeadLettered,
            Dropped = dropped,
        };
    }

    public void Dispose() => _listener.Dispose();

    private void Record(SnapshotField field, double value)
    {
        if (field == SnapshotField.ConsumerLag)
        {
            _lagSum += (long)value;
            _lagSeen = true;
            return;
        }

        lock (_gate)
        {
            var interval = _current;
            switch (field)
            {
                case SnapshotField.MessagesIn:
                    interval.MessagesIn += (long)value;
                    break;
                case SnapshotField.MessagesOut:
                    interval.MessagesOut += (long)value;
                    break;
                case SnapshotField.BatchSize:
                    interval.Batches++;
                    interval.BatchItems += (long)value;
                    interval.BatchMax = Math.Max(interval.BatchMax, (long)value);
                    break;
                case SnapshotField.FlushLatency:
                    interval.Flush.Add(value * 1000);
                    break;
                case SnapshotField.EndToEndLatency:
                    interval.EndToEnd.Add(value * 1000);
                    break;
                case SnapshotField.Errors:
                    interval.Errors += (long)value;
                    break;
                case SnapshotField.DeadLettered:
                    interval.DeadLettered += (long)value;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(field), field, null);
            }
        }
    }

    private sealed class Interval(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public long MessagesIn { get; set; }

        public long MessagesOut { get; set; }

        public long Batches { get; set; }

        public long BatchItems { get; set; }

        public long BatchMax { get; set; }

        public long Errors { get; set; }

        public long DeadLettered { get; set; }

        public Sample Flush { get; } = new();

        public Sample EndToEnd { get; } = new();
    }

    /// <summary>Every latency of an interval in an HdrHistogram (no sample: the tail is what an SRE looks at).</summary>
    private sealed class Sample
    {
        private readonly LatencyHistogram _histogram = new();

        public void Add(double milliseconds) => _histogram.Record(milliseconds);

        public LatencySummary? Summarize() =>
            _histogram.Count == 0
                ? null
                : new LatencySummary(_histogram.Count, Rank(50), Rank(95), Rank(99), Math.Round(_histogram.MaxMilliseconds, 3));

        // Rounded to microseconds, the histogram's unit.
        private double Rank(double percentile) => Math.Round(_histogram.Percentile(percentile), 3);
    }
}
