using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSentinel.Hosting.Diagnostics;

/// <summary>
/// Reads what a worker's /metrics says (Prometheus text exposition): a histogram's buckets, sums and counts, and the
/// samples of a gauge with their labels. Enough for the fleet's own tools; not a general parser.
/// </summary>
public static partial class PrometheusText
{
    /// <summary>Cumulative bucket counts by upper bound, summed over every series of <paramref name="histogram"/> matching <paramref name="labelFilter"/>.</summary>
    public static SortedDictionary<double, double> Buckets(IEnumerable<string> scrapes, string histogram, string labelFilter)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var line in scrapes.SelectMany(s => s.Split('\n')))
        {
            var match = BucketLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != histogram + "_bucket" || !match.Groups["labels"].Value.Contains(labelFilter, StringComparison.Ordinal))
            {
                continue;
            }

            var bound = match.Groups["le"].Value == "+Inf" ? double.PositiveInfinity : double.Parse(match.Groups["le"].Value, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return buckets;
    }

    /// <summary>The sum of a histogram's <c>_sum</c> series matching <paramref name="labelFilter"/>, over every scrape.</summary>
    public static double Sum(IEnumerable<string> scrapes, string histogram, string labelFilter) => Total(scrapes, histogram + "_sum{", labelFilter);

    /// <summary>The sum of a histogram's <c>_count</c> series matching <paramref name="labelFilter"/>, over every scrape.</summary>
    public static double Count(IEnumerable<string> scrapes, string histogram, string labelFilter) => Total(scrapes, histogram + "_count{", labelFilter);

    /// <summary>The upper bound of the bucket holding quantile <paramref name="q"/> (Prometheus' histogram_quantile, without interpolation).</summary>
    public static double Quantile(SortedDictionary<double, double> buckets, double q)
    {
        if (buckets.Count == 0)
        {
            return double.NaN;
        }

        var total = buckets.Values.Max();
        return buckets.First(b => b.Value >= q * total).Key;
    }

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

    private static double Total(IEnumerable<string> scrapes, string seriesStart, string labelFilter) =>
        scrapes.SelectMany(s => s.Split('\n'))
            .Where(line => line.StartsWith(seriesStart, StringComparison.Ordinal) && line.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    // The exposition format escapes three characters in label values: backslash, double quote and newline.
    private static string Unescape(string value) =>
        value.Replace("\\\\", "\u0000", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal).Replace("\u0000", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*le=""(?<le>[^""]+)""[^}]*)\}\s+(?<value>\S+)")]
    private static partial Regex BucketLine();
}

/// <summary>One sample of a series: its labels and value.</summary>
public sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value);
