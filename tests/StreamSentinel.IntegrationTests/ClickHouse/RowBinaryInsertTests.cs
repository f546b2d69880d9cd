using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.ClickHouse;

/// <summary>
/// The results' insert path writes RowBinary itself (issue 17): every column must read back exactly as the driver's
/// own typed insert of the same values stores it.
/// </summary>
public sealed class RowBinaryInsertTests
{
    private const long DriverOffsets = 1_000_000;

    private ScratchDatabases _databases = null!;

    [SetUp]
    public async Task CreateDatabasesAsync() => _databases = await IsolatedDatabases.CreateMigratedAsync();

    [TearDown]
    public async Task DropDatabasesAsync() => await _databases.DisposeAsync();

    [TestCaseSource(typeof(ResultTable), nameof(ResultTable.All))]
    public async Task Rows_written_as_RowBinary_read_back_as_the_drivers_typed_insert_stores_them(ResultTable table)
    {
        var results = Results();
        await new ResultWriter(_databases.ClickHouse).InsertAsync(table, results, CancellationToken.None);
        var shifted = results.Select(r => r with { Source = r.Source with { Offset = r.Source.Offset + DriverOffsets } }).ToList();
        await _databases.ClickHouse.Client.InsertBinaryAsync(
            table.Name, table.Columns, shifted.Select(table.Row), new InsertOptions { ColumnTypes = table.ColumnTypes, Compressor = null }, CancellationToken.None);

        var ours = await RowsAsync(table, $"kafka_offset < {DriverOffsets}");
        var drivers = await RowsAsync(table, $"kafka_offset >= {DriverOffsets}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ours, Has.Count.EqualTo(results.Count));
            Assert.That(ours, Is.EqualTo(drivers));
        }
    }

    private static List<PersistableResult> Results()
    {
        var generator = new SyntheticResults(41, alertShare: 0.3, DateTimeOffset.UtcNow.AddMinutes(-5));
        var results = Enumerable.Range(0, 500).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 3, i), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        }).ToList();
        // What synthetic traffic may not hold: no intake time, text beyond ASCII, no rules fired.
        results[0] = results[0] with { Result = results[0].Result with { Transaction = results[0].Transaction with { IngestedAt = null } } };
        results[1] = results[1] with { Result = results[1].Result with { UserId = "usér-✓-\t-\\-ü", BusinessRulesTriggered = [] } };
        results[2] = results[2] with { Result = results[2].Result with { BusinessRulesTriggered = ["a", "ü", ""] } };
        return results;
    }

    private async Task<List<string>> RowsAsync(ResultTable table, string where)
    {
        var columns = string.Join(", ", table.Columns.Select(c => c switch
        {
            "kafka_offset" => $"kafka_offset % {DriverOffsets}",
            // TSV reads refuse NULL: tell it apart from every value by hand.
            "ingested_at" => "ifNull(toString(ingested_at), 'null')",
            _ => c,
        }));
        var rows = await _databases.ClickHouse.QueryTsvAsync($"SELECT {columns} FROM {table.Name} WHERE {where} ORDER BY kafka_offset", CancellationToken.None);
        return [.. rows.Select(r => string.Join('\t', r))];
    }
}
