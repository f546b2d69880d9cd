using System.Diagnostics.Metrics;
using StreamSentinel.Contracts;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// Listens to the worker's own instruments (the ones /metrics exports) and turns each interval into a
/// <see cref="PerformanceSnapshot"/>: counts since the last snapshot, latency percentiles from a bounded sample.
/// </summary>
/// <remarks>
/// Reading the instruments, rather than asking each worker for numbers, keeps the snapshot and /metrics telling the
/// same story and adds nothing to a worker's hot path but one uncontended lock per measurement. Only meters of this
/// host's <see cref="IMeterFactory"/> are read, so two hosts in one process do not mix.
/// </remarks>
public sealed class PerformanceCollector : IDisposable
{
    /// <summary>Values kept per latency per interval; percentiles of a uniform sample this size are within a few percent.</summary>
    private const int SampleSize = 4096;

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

    /// <summary>A uniform sample of an interval's values (reservoir sampling), and the maximum of all of them.</summary>
    private sealed class Sample
    {
        private readonly List<double> _values = [];
        private long _seen;
        private double _max;

        public void Add(double value)
        {
            _seen++;
            _max = Math.Max(_max, value);
            if (_values.Count < SampleSize)
            {
                _values.Add(value);
                return;
            }

            var slot = Random.Shared.NextInt64(_seen);
            if (slot < SampleSize)
            {
                _values[(int)slot] = value;
            }
        }

        public LatencySummary? Summarize()
        {
            if (_seen == 0)
            {
                return null;
            }

            _values.Sort();
            return new LatencySummary(_seen, Rank(0.50), Rank(0.95), Rank(0.99), Math.Round(_max, 3));
        }

        // Nearest rank, rounded to microseconds: the sample does not know more than that.
        private double Rank(double quantile) =>
            Math.Round(_values[Math.Clamp((int)Math.Ceiling(quantile * _values.Count) - 1, 0, _values.Count - 1)], 3);
    }
}
