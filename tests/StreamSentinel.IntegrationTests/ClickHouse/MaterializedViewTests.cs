using System.Globalization;
using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.ClickHouse;

/// <summary>
/// The ClickHouse schema as migrated, on whichever server the run has (18.16 here, current ones under docker):
/// rows written the way the persistence workers write them, views totals compared with their source.
/// </summary>
public sealed class MaterializedViewTests
{
    private static readonly string[] Severities = ["MINIMAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

    private static readonly Dictionary<string, string> DetectionResultColumns = new()
    {
        ["event_id"] = "String",
        ["transaction_id"] = "String",
        ["user_id"] = "String",
        ["fraud_score"] = "Float64",
        ["severity"] = "Enum8('MINIMAL' = 1, 'LOW' = 2, 'MEDIUM' = 3, 'HIGH' = 4, 'CRITICAL' = 5)",
        ["is_alert"] = "UInt8",
        ["business_rules_triggered"] = "Array(String)",
        ["explanation"] = "String",
        ["model_name"] = "String",
        ["model_version"] = "String",
        ["detection_latency_ms"] = "Float64",
        ["event_time"] = "DateTime",
        ["detected_at"] = "DateTime",
        ["correlation_id"] = "String",
        ["merchant_category"] = "FixedString(4)",
        ["country"] = "FixedString(2)",
        ["amount"] = "Decimal(18, 4)",
        ["kafka_topic"] = "String",
        ["kafka_partition"] = "Int32",
        ["kafka_offset"] = "Int64",
    };

    private ScratchDatabases _databases = null!;

    [OneTimeSetUp]
    public async Task MigrateAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
    }

    [OneTimeTearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [TestCase("transaction_records")]
    [TestCase("fraud_features")]
    [TestCase("detection_results")]
    public async Task Every_row_keeps_its_kafka_coordinates(string table)
    {
        var columns = await _databases.ClickHouse.QueryTsvAsync(
            $"SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {ClickHouseLiteral.Text(table)} AND name LIKE 'kafka_%' ORDER BY name",
            CancellationToken.None);

        Assert.That(columns.Select(c => $"{c[0]} {c[1]}"), Is.EqualTo(new[] { "kafka_offset Int64", "kafka_partition Int32", "kafka_topic String" }));
    }

    [Test]
    public async Task View_totals_equal_the_rows_inserted_in_bulk()
    {
        const int rows = 5000;
        var random = new Random(7);
        var start = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
        var data = Enumerable.Range(0, rows).Select(i =>
        {
            var severity = Severities[random.Next(Severities.Length)];
            return new object[]
            {
                $"{i:x64}", $"txn-{i}", $"user-{i % 97}", random.NextDouble(), severity, (byte)(Array.IndexOf(Severities, severity) >= 2 ? 1 : 0),
                new[] { "rule_a" }, "{}", "fraud-gbm", i % 2 == 0 ? "1.0" : "1.1", random.NextDouble() * 10,
                start.AddSeconds(i * 7), start.AddSeconds(i * 7 + 1), $"corr-{i}", (5000 + (i % 40)).ToString(CultureInfo.InvariantCulture),
                i % 3 == 0 ? "FR" : "DE", 10.5m, "fraud-detection-results", i % 12, (long)i,
            };
        }).ToList();

        await _databases.ClickHouse.Client.InsertBinaryAsync(
            "detection_results",
            DetectionResultColumns.Keys,
            data,
            new InsertOptions { ColumnTypes = DetectionResultColumns, Compressor = null },
            CancellationToken.None);

        var expectedAlerts = data.Count(r => (byte)r[5] == 1);
        var expectedCritical = data.Count(r => (string)r[4] == "CRITICAL");
        var fraudRate = (await _databases.ClickHouse.QueryTsvAsync(
            "SELECT countMerge(results), sumMerge(alerts), sumMerge(critical), round(sumMerge(amount_total), 2) FROM fraud_rate_hourly",
            CancellationToken.None))[0];
        var accuracy = (await _databases.ClickHouse.QueryTsvAsync(
            "SELECT countMerge(results), sumMerge(alerts), uniqExact(model_version) FROM model_accuracy_hourly", CancellationToken.None))[0];
        var source = (await _databases.ClickHouse.QueryTsvAsync("SELECT count(), sum(is_alert) FROM detection_results", CancellationToken.None))[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(source, Is.EqualTo(new[] { $"{rows}", $"{expectedAlerts}" }));
            Assert.That(fraudRate, Is.EqualTo(new[] { $"{rows}", $"{expectedAlerts}", $"{expectedCritical}", (rows * 10.5m).ToString("0.##", CultureInfo.InvariantCulture) }));
            Assert.That(accuracy, Is.EqualTo(new[] { $"{rows}", $"{expectedAlerts}", "2" }));
        }
    }

    [Test]
    public async Task Fraud_features_keep_one_partition_a_month_whatever_the_categories()
    {
        var columns = new Dictionary<string, string>
        {
            ["event_id"] = "String",
            ["transaction_id"] = "String",
            ["user_id"] = "String",
            ["merchant_category"] = "FixedString(4)",
            ["event_time"] = "DateTime",
            ["kafka_topic"] = "String",
            ["kafka_partition"] = "Int32",
            ["kafka_offset"] = "Int64",
        };
        var time = new DateTime(2026, 10, 3, 12, 0, 0, DateTimeKind.Utc);
        // 300 distinct MCCs in one month: one insert, one batch, as a persistence worker would send it.
        var rows = Enumerable.Range(0, 300).Select(i => new object[]
        {
            $"{i:x64}", $"t{i}", $"u{i}", (1000 + (i * 29 % 9000)).ToString(CultureInfo.InvariantCulture), time, "fraud-detection-results", 0, (long)i,
        });

        await _databases.ClickHouse.Client.InsertBinaryAsync(
            "fraud_features", columns.Keys, rows, new InsertOptions { ColumnTypes = columns, Compressor = null }, CancellationToken.None);

        var partitions = await _databases.ClickHouse.QueryTsvAsync(
            "SELECT uniqExact(partition) FROM system.parts WHERE database = currentDatabase() AND table = 'fraud_features' AND active",
            CancellationToken.None);
        // Partitioned by month only since 0010 (issue 17): the MCC leads the sort key, not the partition key.
        Assert.That(int.Parse(partitions[0][0], CultureInfo.InvariantCulture), Is.EqualTo(1));
    }
}
