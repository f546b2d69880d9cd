using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSentinel.Cli.Bench;

/// <summary>Reads a histogram out of Prometheus text exposition, to estimate quantiles from its buckets.</summary>
internal static partial class PrometheusText
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
    public static double Sum(IEnumerable<string> scrapes, string histogram, string labelFilter) =>
        scrapes.SelectMany(s => s.Split('\n'))
            .Where(line => line.StartsWith(histogram + "_sum{", StringComparison.Ordinal) && line.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>The sum of a histogram's <c>_count</c> series matching <paramref name="labelFilter"/>, over every scrape.</summary>
    public static double Count(IEnumerable<string> scrapes, string histogram, string labelFilter) =>
        scrapes.SelectMany(s => s.Split('\n'))
            .Where(line => line.StartsWith(histogram + "_count{", StringComparison.Ordinal) && line.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

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

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*le=""(?<le>[^""]+)""[^}]*)\}\s+(?<value>\S+)")]
    private static partial Regex BucketLine();
}
