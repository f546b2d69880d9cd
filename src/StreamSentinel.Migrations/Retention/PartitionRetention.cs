using System.Globalization;
using System.Text.RegularExpressions;
using StreamSentinel.ClickHouse.Querying;

namespace StreamSentinel.Migrations.Retention;

/// <summary>
/// Retention for ClickHouse servers without TTL (18.16): drops whole monthly partitions once every row in them is
/// past the table's retention. Harmless where TTL exists (the partitions it would drop are already empty or gone).
/// </summary>
public sealed partial class PartitionRetention(ClickHouseDatabase database)
{
    /// <summary>Partitions past retention at <paramref name="now"/>; a partition is dropped only when its whole month is.</summary>
    public async Task<IReadOnlyList<ExpiredPartition>> FindExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rules = RetentionRule.FromSchema();
        var parts = await database.QueryTsvAsync(
            "SELECT table, partition, sum(rows) FROM system.parts WHERE database = currentDatabase() AND active "
            + $"AND table IN ({string.Join(", ", rules.Select(r => ClickHouseLiteral.Text(r.Table)))}) GROUP BY table, partition ORDER BY table, partition",
            cancellationToken);
        var expired = new List<ExpiredPartition>();
        foreach (var part in parts)
        {
            var rule = rules.Single(r => r.Table == part[0]);
            // Every partition key here begins with toYYYYMM(...): "202311" or "(202311,'5')".
            var month = MonthPrefix().Match(part[1]);
            if (month.Success && int.Parse(month.Groups[1].Value, CultureInfo.InvariantCulture) < rule.OldestKeptMonth(now))
            {
                expired.Add(new ExpiredPartition(part[0], part[1], long.Parse(part[2], CultureInfo.InvariantCulture)));
            }
        }

        return expired;
    }

    public async Task DropAsync(ExpiredPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        // The partition expression is the server's own rendering from system.parts, not user input.
        await database.ExecuteAsync($"ALTER TABLE {ClickHouseLiteral.Identifier(partition.Table)} DROP PARTITION {partition.Partition}", cancellationToken);
    }

    [GeneratedRegex(@"^\(?(\d{6})\b")]
    private static partial Regex MonthPrefix();
}
