using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSentinel.Hosting.Diagnostics;

/// <summary>
/// Reads what a worker's /metrics says (Prometheus text exposition): a histogram's sums and counts, and the samples of
/// a series with their labels. Enough for the fleet's own tools; not a general parser. Percentiles come from
/// /latency (<see cref="LatencyRecorder"/>), not from bucket bounds.
/// </summary>
public static partial class PrometheusText
{
    /// <summary>The sum of a histogram's <c>_sum</c> series matching <paramref name="labelFilter"/>, over every scrape.</summary>
    public static double Sum(IEnumerable<string> scrapes, string histogram, string labelFilter) => Total(scrapes, histogram + "_sum", labelFilter);

    /// <summary>The sum of a histogram's <c>_count</c> series matching <paramref name="labelFilter"/>, over every scrape.</summary>
    public static double Count(IEnumerable<string> scrapes, string histogram, string labelFilter) => Total(scrapes, histogram + "_count", labelFilter);

    /// <summary>Every sample of the series <paramref name="name"/> in one scrape, with its labels.</summary>
    public static IReadOnlyList<PrometheusSample> Samples(string scrape, string name)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        var samples = new List<PrometheusSample>();
        foreach (var line in scrape.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name
                || !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            // A label named twice (malformed exposition) keeps its last value rather than failing the whole scrape.
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = Unescape(label.Groups["value"].Value);
            }

            samples.Add(new PrometheusSample(labels, value));
        }

        return samples;
    }

    // The value, not the last field: a sample may end with a timestamp.
    private static double Total(IEnumerable<string> scrapes, string series, string labelFilter) =>
        scrapes.SelectMany(s => s.Split('\n'))
            .Select(line => SampleLine().Match(line))
            .Where(match => match.Success && match.Groups["name"].Value == series
                && match.Groups["labels"].Value.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(match => double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0);

    // The exposition format escapes three characters in label values: backslash, double quote and newline.
    private static string Unescape(string value) =>
        value.Replace("\\\\", "\u0000", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal).Replace("\u0000", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}

/// <summary>One sample of a series: its labels and value.</summary>
public sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value);
