using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Scripts;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.ClickHouse;

/// <summary>
/// 0010 rebuilds fraud_features partitioned by month only (18.16 cannot alter a partition key): the rows written under
/// the old layout must all be there afterwards, once each, and running its statements again must change nothing.
/// </summary>
public sealed class FraudFeaturesRebuildTests
{
    private const int RebuildVersion = 10;

    private ScratchDatabases _databases = null!;

    [SetUp]
    public async Task CreateDatabasesAsync() => _databases = await IsolatedDatabases.CreateAsync();

    [TearDown]
    public async Task DropDatabasesAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task Rows_written_before_the_rebuild_are_all_there_once_and_a_rerun_changes_nothing()
    {
        var scripts = ScriptCatalog.For(MigrationTarget.ClickHouse);
        await MigrateClickHouseAsync([.. scripts.Where(s => s.Version < RebuildVersion)]);
        // Two months and every MCC range, so that the old layout holds many partitions.
        var results = Results(count: 3000);
        await new ResultWriter(_databases.ClickHouse).InsertAsync(ResultTable.FraudFeatures, results, CancellationToken.None);
        Assert.That(await PartitionsAsync(), Has.Some.StartsWith("("), "the old layout: (month, first MCC digit)");
        var before = await FingerprintAsync();

        await MigrateClickHouseAsync(scripts);
        var afterRebuild = await FingerprintAsync();
        // An interrupted run is completed by running it again: every statement again, on the rebuilt table.
        foreach (var statement in SqlStatements.Split(scripts.Single(s => s.Version == RebuildVersion).Sql))
        {
            await _databases.ClickHouse.ExecuteAsync(statement, CancellationToken.None);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterRebuild, Is.EqualTo(before));
            Assert.That(await FingerprintAsync(), Is.EqualTo(before), "after running it again");
            Assert.That(await PartitionsAsync(), Is.All.Matches<string>(p => p.Length == 6 && p.All(char.IsDigit)), "months only");
            Assert.That(await TablesAsync(), Does.Not.Contain("fraud_features_by_mcc").And.Not.Contain("fraud_features_by_month"));
        }
    }

    private async Task MigrateClickHouseAsync(IReadOnlyList<MigrationScript> scripts) =>
        await _databases.Migrator().MigrateAsync(
            new Dictionary<MigrationTarget, IReadOnlyList<MigrationScript>> { [MigrationTarget.ClickHouse] = scripts }, dryRun: false, CancellationToken.None);

    private static List<PersistableResult> Results(int count)
    {
        var generator = new SyntheticResults(31, alertShare: 0.1, DateTimeOffset.UtcNow.AddDays(-45));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var result = generator.Next();
            // Half of them a month later: two monthly partitions.
            if (i % 2 == 1)
            {
                var later = (result.Transaction! with { EventTime = result.Transaction.EventTime.AddDays(31) }).WithEventId();
                result = result with { Transaction = later, EventId = later.EventId };
            }

            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 4, i / 4), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        })];
    }

    /// <summary>Rows, distinct rows by coordinates and event, and sums over columns: equal only if the data is.</summary>
    private async Task<string> FingerprintAsync()
    {
        var rows = await _databases.ClickHouse.QueryTsvAsync(
            "SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset, event_id), sum(txn_count_24h), sum(amount), "
            + "round(sum(hour_frequency), 6), sum(cityHash64(user_id, merchant_category, event_time)) FROM fraud_features",
            CancellationToken.None);
        return string.Join(' ', rows[0]);
    }

    private async Task<List<string>> PartitionsAsync() =>
        [.. (await _databases.ClickHouse.QueryTsvAsync(
            "SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = 'fraud_features' AND active", CancellationToken.None))
            .Select(r => r[0])];

    private async Task<List<string>> TablesAsync() =>
        [.. (await _databases.ClickHouse.QueryTsvAsync("SELECT name FROM system.tables WHERE database = currentDatabase()", CancellationToken.None)).Select(r => r[0])];
}
