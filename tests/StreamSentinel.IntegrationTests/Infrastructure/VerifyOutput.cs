using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>Reads <c>verify</c>'s table back, so that a test names the stores it expects to fail and the counts.</summary>
internal static partial class VerifyOutput
{
    public static IReadOnlyDictionary<string, VerifyRow> Rows(string output)
    {
        var rows = new Dictionary<string, VerifyRow>(StringComparer.Ordinal);
        foreach (Match match in Row().Matches(output))
        {
            long N(int group) => long.Parse(match.Groups[group].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            var store = match.Groups[1].Value;
            rows[store] = new VerifyRow(store, N(2), N(3), N(4), N(5), N(6), N(7), match.Groups[8].Value == "ok");
        }

        return rows;
    }

    /// <summary>The stores verify marked FAILED.</summary>
    public static IReadOnlyList<string> FailedStores(string output) => [.. Rows(output).Values.Where(r => !r.Passed).Select(r => r.Store)];

    // store, expected, found, lost, duplicated, misrouted, unknown, ok|FAILED
    [GeneratedRegex(@"(?m)^\s*(\S.*?)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+(ok|FAILED)\s*$")]
    private static partial Regex Row();
}
