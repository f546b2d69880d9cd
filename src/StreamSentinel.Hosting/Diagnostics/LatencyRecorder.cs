using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;

namespace StreamSentinel.Hosting.Diagnostics;

/// <summary>
/// Every duration this host's own meters record (histograms in seconds), kept since start as HdrHistograms and served
/// at <c>/latency</c>: real percentiles, and an encoding another process adds up exactly across workers.
/// </summary>
/// <remarks>
/// Prometheus' buckets tell which bucket a percentile falls in, not its value: a 30 s bucket bound printed as "P99"
/// once read as a latency. This reads the same measurements /metrics exports, from the same instruments, so the two
/// never tell different stories; the cost is one uncontended lock per measurement. Series are kept per instrument
/// and, for database operations, per table (<c>db.collection.name</c>), the one tag whose series mean different work.
/// </remarks>
public sealed class LatencyRecorder : IDisposable
{
    private const string CollectionTag = "db.collection.name";

    /// <summary>Enough for every duration instrument of a worker; a series beyond it is not kept (memory stays bounded).</summary>
    private const int MaxSeries = 32;

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Instrument, string? Collection), LatencyHistogram> _series = [];

    public LatencyRecorder(IMeterFactory meterFactory, IEnumerable<string> meters)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var names = meters.ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && names.Contains(instrument.Meter.Name)
                && instrument is Histogram<double> && instrument.Unit == "s")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) => Record(instrument.Name, Collection(tags), seconds));
        _listener.Start();
    }

    /// <summary>A copy of every series, with its percentiles and encoding, ordered by instrument and table.</summary>
    public IReadOnlyList<LatencyReading> Read()
    {
        List<(string Instrument, string? Collection, LatencyHistogram Histogram)> copies;
        lock (_gate)
        {
            copies = [.. _series.Select(s => (s.Key.Instrument, s.Key.Collection, s.Value.Copy()))];
        }

        return
        [
            .. copies
                .OrderBy(c => c.Instrument, StringComparer.Ordinal).ThenBy(c => c.Collection, StringComparer.Ordinal)
                .Select(c => LatencyReading.Of(c.Instrument, c.Collection, c.Histogram)),
        ];
    }

    public void Dispose() => _listener.Dispose();

    private static string? Collection(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == CollectionTag)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private void Record(string instrument, string? collection, double seconds)
    {
        lock (_gate)
        {
            if (!_series.TryGetValue((instrument, collection), out var histogram))
            {
                if (_series.Count >= MaxSeries)
                {
                    return;
                }

                histogram = new LatencyHistogram();
                _series[(instrument, collection)] = histogram;
            }

            histogram.Record(seconds * 1000);
        }
    }
}

/// <summary>One series of <c>/latency</c>: percentiles in milliseconds and the HdrHistogram they come from.</summary>
/// <param name="Instrument">The instrument's name, as in /metrics before Prometheus' renaming.</param>
/// <param name="Collection">The table, for a database operation; otherwise null.</param>
/// <param name="Count">Values recorded since the worker started.</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="P999Ms">99.9th percentile.</param>
/// <param name="MaxMs">The largest value, exactly.</param>
/// <param name="Histogram">HdrHistogram's compressed encoding, base64, of values in microseconds (see <see cref="LatencyHistogram.Decode"/>).</param>
public sealed record LatencyReading(
    string Instrument,
    string? Collection,
    long Count,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    string Histogram)
{
    /// <summary>The reading of <paramref name="histogram"/>, rounded to microseconds.</summary>
    public static LatencyReading Of(string instrument, string? collection, LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new LatencyReading(
            instrument, collection, histogram.Count,
            Round(histogram.Percentile(50)), Round(histogram.Percentile(90)), Round(histogram.Percentile(99)), Round(histogram.Percentile(99.9)),
            Round(histogram.MaxMilliseconds), histogram.Encode());
    }

    /// <summary>The histogram again, to add to others.</summary>
    public LatencyHistogram Decode() => LatencyHistogram.Decode(Histogram, MaxMs);

    private static double Round(double ms) => double.IsNaN(ms) ? 0 : Math.Round(ms, 3);
}

/// <summary>The body of <c>/latency</c>.</summary>
public sealed record LatencyReport(IReadOnlyList<LatencyReading> Latencies);

/// <summary>The JSON of <c>/latency</c>, source-generated, snake_case like every other document the fleet serves.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LatencyReport))]
public sealed partial class LatencyJsonContext : JsonSerializerContext;
