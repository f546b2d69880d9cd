using System.Text.Json;
using Confluent.Kafka;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;
using StreamSentinel.Persistence.Pipeline;
using StreamSentinel.PostgreSql.Persistence;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Persistence;

/// <summary>
/// Exactly-once at the level of the batch writer, against real databases: what a replay after a crash or a rebalance
/// looks like to the stores, without waiting for Kafka to produce one.
/// </summary>
public sealed class BatchWriterTests
{
    private ServiceProvider _services = null!;

    private ScratchDatabases _databases = null!;

    [OneTimeSetUp]
    public void CreateMeters() => _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [OneTimeTearDown]
    public async Task DisposeMetersAsync() => await _services.DisposeAsync();

    [SetUp]
    public async Task MigrateAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
    }

    [TearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task Same_offsets_delivered_again_to_a_new_owner_are_stored_once()
    {
        var results = Results(seed: 21, count: 400);
        await NewWriter().WriteAsync(Batch(results), CancellationToken.None);

        var successor = NewWriter();
        successor.Assigned(Partitions(results));
        await successor.WriteAsync(Batch(results), CancellationToken.None);

        await AssertStoredOnceAsync(results);
    }

    [Test]
    public async Task Results_detection_published_again_are_stored_once_by_event_not_once_per_message()
    {
        var originals = Results(seed: 27, count: 300); // offsets 0..99 on each of 3 partitions
        await NewWriter().WriteAsync(Batch(originals), CancellationToken.None);

        // After a detection crash: the last 60 results published again at new offsets, flagged, with 30 new ones;
        // one repeat of a new result inside the batch; and one flagged result whose first publication never happened.
        var fresh = Results(seed: 28, count: 30).Select((r, i) => r with { Source = new KafkaCoordinates(Topics.DetectionResults, i % 3, 200 + i) }).ToList();
        var again = originals.TakeLast(60).Select((r, i) => r with { Source = new KafkaCoordinates(Topics.DetectionResults, r.Source.Partition, 100 + i), MayRepeat = true }).ToList();
        var inBatch = fresh[0] with { Source = new KafkaCoordinates(Topics.DetectionResults, fresh[0].Source.Partition, 300), MayRepeat = true };
        var neverPublished = Results(seed: 29, count: 1)[0] with { Source = new KafkaCoordinates(Topics.DetectionResults, 0, 400), MayRepeat = true };
        await NewWriter().WriteAsync(Batch([.. again, .. fresh, inBatch, neverPublished]), CancellationToken.None);

        var events = originals.Count + fresh.Count + 1;
        using (Assert.EnterMultipleScope())
        {
            foreach (var table in ResultTable.All)
            {
                Assert.That(await CountAsync($"SELECT count() FROM {table.Name}"), Is.EqualTo(events), table.Name);
                Assert.That(await CountAsync($"SELECT uniqExact(event_id) FROM {table.Name}"), Is.EqualTo(events), table.Name);
            }

            Assert.That(await CountAsync("SELECT countMerge(results) FROM fraud_rate_hourly"), Is.EqualTo(events), "views count each event once");
            Assert.That(await PostgresCountAsync("SELECT count(*) FROM fraud_alerts"), Is.EqualTo(originals.Concat(fresh).Append(neverPublished).Count(r => r.IsAlert)));
        }
    }

    [Test]
    public async Task Batch_interrupted_after_postgres_and_one_table_is_completed_exactly_by_the_next_owner()
    {
        var results = Results(seed: 22, count: 400);
        // The crashed owner got this far: PostgreSQL committed (alerts and spans), one ClickHouse table written.
        await new AlertWriter(_databases.Postgres).WriteAsync(results, PartitionSpan.Of(results), "stream-sentinel-persistence", "crashed", CancellationToken.None);
        await new ResultWriter(_databases.ClickHouse).InsertAsync(ResultTable.TransactionRecords, results, CancellationToken.None);

        var successor = NewWriter();
        successor.Assigned(Partitions(results));
        await successor.WriteAsync(Batch(results), CancellationToken.None);

        await AssertStoredOnceAsync(results);
    }

    [Test]
    public async Task Third_owner_still_checks_the_span_of_the_first_after_a_second_owner_wrote_a_smaller_batch()
    {
        var results = Results(seed: 26, count: 600); // offsets 0..199 on each of 3 partitions
        // Owner A recorded the whole span in PostgreSQL, stored the second half in ClickHouse, and was killed.
        await new AlertWriter(_databases.Postgres).WriteAsync(results, PartitionSpan.Of(results), "stream-sentinel-persistence", "a", CancellationToken.None);
        var secondHalf = results.Where(r => r.Source.Offset >= 100).ToList();
        foreach (var table in ResultTable.All)
        {
            await new ResultWriter(_databases.ClickHouse).InsertAsync(table, secondHalf, CancellationToken.None);
        }

        // Owner B wrote only the first half (a smaller batch) and stopped before committing it.
        var firstHalf = results.Where(r => r.Source.Offset < 100).ToList();
        var b = NewWriter();
        b.Assigned(Partitions(results));
        await b.WriteAsync(Batch(firstHalf), CancellationToken.None);

        // Owner C reads from the last commit: everything again, in two batches.
        var c = NewWriter();
        c.Assigned(Partitions(results));
        await c.WriteAsync(Batch(firstHalf), CancellationToken.None);
        await c.WriteAsync(Batch(secondHalf), CancellationToken.None);

        await AssertStoredOnceAsync(results);
    }

    [Test]
    public async Task Other_events_at_the_same_offsets_are_not_mistaken_for_a_replay()
    {
        // A development broker that restarted numbers its offsets from 0 again, with new events behind them.
        var before = Results(seed: 23, count: 100);
        var after = Results(seed: 24, count: 100);
        await NewWriter().WriteAsync(Batch(before), CancellationToken.None);

        var successor = NewWriter();
        successor.Assigned(Partitions(after));
        await successor.WriteAsync(Batch(after), CancellationToken.None);

        Assert.That(await CountAsync("SELECT count() FROM detection_results"), Is.EqualTo(200));
    }

    [Test]
    public async Task Row_postgres_rejects_is_dead_lettered_and_the_rest_of_its_batch_is_stored()
    {
        await using (var connection = await _databases.Postgres.OpenConnectionAsync())
        {
            // A rule the contract does not know, as a newer schema might add one.
            await connection.ExecuteAsync("ALTER TABLE fraud_alerts ADD CONSTRAINT test_no_blocked_merchant CHECK (merchant_id <> 'merchant-blocked')");
        }

        var results = Results(seed: 25, count: 300).ToList();
        var victim = results.First(r => r.IsAlert);
        var blockedTransaction = (victim.Transaction with { MerchantId = "merchant-blocked" }).WithEventId();
        results[results.IndexOf(victim)] = victim with
        {
            Result = victim.Result with { Transaction = blockedTransaction, EventId = blockedTransaction.EventId },
        };
        var batch = Batch(results);

        await NewWriter().WriteAsync(batch, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(batch.DeadLetters.Select(d => (d.Reason, d.Original.Offset.Value)), Is.EqualTo(new[] { ("rejected_by_postgres", victim.Source.Offset) }));
            Assert.That(batch.DeadLetters[0].Detail, Does.Contain("test_no_blocked_merchant"));
            Assert.That(await PostgresCountAsync("SELECT count(*) FROM fraud_alerts"), Is.EqualTo(results.Count(r => r.IsAlert) - 1));
            Assert.That(await CountAsync("SELECT count() FROM detection_results"), Is.EqualTo(results.Count - 1));
        }
    }

    private BatchWriter NewWriter() => new(
        new AlertWriter(_databases.Postgres),
        new ResultWriter(_databases.ClickHouse),
        new PersistenceMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
        Options.Create(new PersistenceOptions { Instance = "test" }),
        TimeProvider.System);

    private static List<PersistableResult> Results(int seed, int count)
    {
        var generator = new SyntheticResults(seed, alertShare: 0.3, DateTimeOffset.UtcNow.AddMinutes(-5));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 3, i / 3), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        })];
    }

    private static PendingBatch Batch(IReadOnlyList<PersistableResult> results)
    {
        var batch = new PendingBatch([.. results.Select(r => new ConsumeResult<byte[]?, byte[]?>
        {
            Topic = r.Source.Topic,
            Partition = r.Source.Partition,
            Offset = r.Source.Offset,
            Message = new Message<byte[]?, byte[]?> { Value = JsonSerializer.SerializeToUtf8Bytes(r.Result, ContractsJsonContext.Default.DetectionResult) },
        })]);
        batch.Results.AddRange(results);
        return batch;
    }

    private static IEnumerable<(string, int)> Partitions(IEnumerable<PersistableResult> results) =>
        results.Select(r => (r.Source.Topic, r.Source.Partition)).Distinct();

    private async Task AssertStoredOnceAsync(List<PersistableResult> results)
    {
        var alerts = results.Count(r => r.IsAlert);
        using (Assert.EnterMultipleScope())
        {
            foreach (var table in ResultTable.All)
            {
                Assert.That(await CountAsync($"SELECT count() FROM {table.Name}"), Is.EqualTo(results.Count), table.Name);
                Assert.That(await CountAsync($"SELECT uniqExact(kafka_partition, kafka_offset) FROM {table.Name}"), Is.EqualTo(results.Count), table.Name);
            }

            Assert.That(await CountAsync("SELECT countMerge(results) FROM fraud_rate_hourly"), Is.EqualTo(results.Count));
            Assert.That(await PostgresCountAsync("SELECT count(*) FROM fraud_alerts"), Is.EqualTo(alerts));
            Assert.That(await PostgresCountAsync("SELECT coalesce(sum(alerts_total), 0) FROM user_accounts"), Is.EqualTo(alerts));
            Assert.That(await PostgresCountAsync("SELECT count(*) FROM system_audit_log WHERE action = 'alert.created'"), Is.EqualTo(alerts));
        }
    }

    private async Task<long> CountAsync(string sql) =>
        long.Parse((await _databases.ClickHouse.QueryTsvAsync(sql, CancellationToken.None))[0][0], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<long> PostgresCountAsync(string sql)
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
