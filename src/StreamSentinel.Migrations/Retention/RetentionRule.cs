using System.Globalization;
using System.Text.RegularExpressions;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Retention;

/// <summary>How long one ClickHouse table keeps its rows, as its TTL clause in sql/clickhouse says.</summary>
public sealed partial record RetentionRule(string Table, int Years)
{
    /// <summary>
    /// The rules, read from the TTL script itself so that the TTL (current servers) and the partition drops (18.16)
    /// can never disagree: the SQL stays the single place where retention is written down.
    /// </summary>
    public static IReadOnlyList<RetentionRule> FromSchema()
    {
        var rules = ScriptCatalog.For(MigrationTarget.ClickHouse)
            .Where(script => script.Requirements.Contains("ttl"))
            .SelectMany(script => TtlClause().Matches(script.Sql))
            .Select(match => new RetentionRule(match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)))
            // A table rebuilt by a later script (0010 fraud_features) gets its TTL again there: the last script says.
            .GroupBy(rule => rule.Table, StringComparer.Ordinal)
            .Select(rules => rules.Last())
            .ToList();
        return rules.Count > 0 ? rules : throw new InvalidOperationException("No TTL clause found in sql/clickhouse: retention is undefined.");
    }

    /// <summary>The first month (yyyyMM) that is still kept at <paramref name="now"/>.</summary>
    public int OldestKeptMonth(DateTimeOffset now)
    {
        var cutoff = now.UtcDateTime.AddYears(-Years);
        return (cutoff.Year * 100) + cutoff.Month;
    }

    [GeneratedRegex(@"ALTER TABLE (\w+) MODIFY TTL \w+ \+ INTERVAL (\d+) YEAR")]
    private static partial Regex TtlClause();
}
