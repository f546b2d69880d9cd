using System.Globalization;
using StreamSentinel.Hosting.Diagnostics;

namespace StreamSentinel.Cli.Diagnostics;

/// <summary>
/// The latencies of several workers added up from their <c>/latency</c> histograms: the fleet's real percentiles, where
/// averaging each worker's would hide a slow one.
/// </summary>
internal sealed class FleetLatencies
{
    private readonly Dictionary<(string Instrument, string? Collection), LatencyHistogram> _series;

    private FleetLatencies(Dictionary<(string Instrument, string? Collection), LatencyHistogram> series) => _series = series;

    /// <summary>Reads <c>/latency</c> from each worker's base URL and adds the series of the same instrument and table.</summary>
    public static async Task<FleetLatencies> ReadAsync(HttpClient http, IEnumerable<string> workers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var series = new Dictionary<(string, string?), LatencyHistogram>();
        foreach (var worker in workers)
        {
            var report = await http.GetFromJsonAsync(new Uri(worker.TrimEnd('/') + "/latency"), LatencyJsonContext.Default.LatencyReport, cancellationToken)
                ?? throw new InvalidOperationException($"{worker}/latency answered nothing.");
            foreach (var reading in report.Latencies)
            {
                var histogram = reading.Decode();
                if (series.TryGetValue((reading.Instrument, reading.Collection), out var sum))
                {
                    sum.Add(histogram);
                }
                else
                {
                    series[(reading.Instrument, reading.Collection)] = histogram;
                }
            }
        }

        return new FleetLatencies(series);
    }

    /// <summary>The fleet's histogram of an instrument (for one table, or all of them added), or an empty one.</summary>
    public LatencyHistogram Of(string instrument, string? collection = null)
    {
        var total = new LatencyHistogram();
        foreach (var ((name, table), histogram) in _series)
        {
            if (name == instrument && (collection is null || table == collection))
            {
                total.Add(histogram);
            }
        }

        return total;
    }

    /// <summary>"P50 12.3 ms, P90 ..., P99 ..., max ... (n values)", or "no value" when nothing was measured.</summary>
    public static string Describe(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return histogram.Count == 0
            ? "no value"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"P50 {histogram.Percentile(50):0.#} ms, P90 {histogram.Percentile(90):0.#} ms, P99 {histogram.Percentile(99):0.#} ms, max {histogram.MaxMilliseconds:0.#} ms ({histogram.Count:N0} values)");
    }
}
