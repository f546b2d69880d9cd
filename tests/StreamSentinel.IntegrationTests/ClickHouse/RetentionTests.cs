using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Migrations.Retention;
using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.ClickHouse;

/// <summary>Retention by dropping monthly partitions: what ClickHouse 18.16 has instead of TTL.</summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private ScratchDatabases _databases = null!;

    [SetUp]
    public async Task MigrateAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
    }

    [TearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task Only_months_wholly_past_each_tables_retention_are_dropped()
    {
        var threeYearsAgo = Now.AddYears(-3).UtcDateTime;
        var thirteenMonthsAgo = Now.AddMonths(-13).UtcDateTime;
        var lastWeek = Now.AddDays(-7).UtcDateTime;
        await InsertAsync("transaction_records", threeYearsAgo, thirteenMonthsAgo, lastWeek);
        await InsertAsync("fraud_features", threeYearsAgo, thirteenMonthsAgo, lastWeek);
        var retention = new PartitionRetention(_databases.ClickHouse);

        var expired = await retention.FindExpiredAsync(Now, CancellationToken.None);
        foreach (var partition in expired)
        {
            await retention.DropAsync(partition, CancellationToken.None);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(expired.Select(p => p.Table), Is.EquivalentTo(new[] { "fraud_features", "fraud_features", "transaction_records" }));
            Assert.That(await MonthsAsync("transaction_records"), Is.EqualTo(new[] { Month(thirteenMonthsAgo), Month(lastWeek) }), "two years kept");
            Assert.That(await MonthsAsync("fraud_features"), Is.EqualTo(new[] { Month(lastWeek) }), "one year kept");
            Assert.That(await retention.FindExpiredAsync(Now, CancellationToken.None), Is.Empty, "a second run finds nothing");
        }
    }

    [Test]
    public async Task The_retention_command_drops_a_real_expired_partition_and_keeps_the_rest()
    {
        // Real clock, as cron runs it: a month three years back is past the two years of transaction_records, last week is not.
        var threeYearsAgo = DateTime.UtcNow.AddYears(-3);
        var lastWeek = DateTime.UtcNow.AddDays(-7);
        await InsertAsync("transaction_records", threeYearsAgo, threeYearsAgo, lastWeek);
        var environment = _databases.Environment();

        var dryRun = await Infrastructure.Cli.RunAsync(environment, "retention", "--dry-run");
        var monthsAfterDryRun = await MonthsAsync("transaction_records");
        var run = await Infrastructure.Cli.RunAsync(environment, "retention");
        var monthsAfterRun = await MonthsAsync("transaction_records");
        var again = await Infrastructure.Cli.RunAsync(environment, "retention");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dryRun.ExitCode, Is.Zero, dryRun.ToString);
            Assert.That(dryRun.Output, Does.Contain($"would drop transaction_records partition {Month(threeYearsAgo)} (2 rows)").And.Contain("1 partition(s) past retention."));
            Assert.That(monthsAfterDryRun, Is.EqualTo(new[] { Month(threeYearsAgo), Month(lastWeek) }), "--dry-run drops nothing");
            Assert.That(run.ExitCode, Is.Zero, run.ToString);
            Assert.That(run.Output, Does.Contain($"dropped transaction_records partition {Month(threeYearsAgo)} (2 rows)"));
            Assert.That(monthsAfterRun, Is.EqualTo(new[] { Month(lastWeek) }), "the expired month is gone, last week's stays");
            Assert.That(again.Output, Does.Contain("Nothing is past retention."), again.ToString);
        }
    }

    private async Task InsertAsync(string table, params DateTime[] times)
    {
        var columns = new Dictionary<string, string>
        {
            ["event_id"] = "String",
            ["merchant_category"] = "FixedString(4)",
            ["event_time"] = "DateTime",
            ["kafka_offset"] = "Int64",
        };
        var rows = times.Select((time, i) => new object[] { $"e{i}", "5411", time, (long)i });
        await _databases.ClickHouse.Client.InsertBinaryAsync(table, columns.Keys, rows, new InsertOptions { ColumnTypes = columns, Compressor = null }, CancellationToken.None);
    }

    private async Task<string[]> MonthsAsync(string table) =>
        [.. (await _databases.ClickHouse.QueryTsvAsync($"SELECT DISTINCT toYYYYMM(event_time) AS m FROM {ClickHouseLiteral.Identifier(table)} ORDER BY m", CancellationToken.None)).Select(r => r[0])];

    private static string Month(DateTime time) => $"{time:yyyyMM}";
}
