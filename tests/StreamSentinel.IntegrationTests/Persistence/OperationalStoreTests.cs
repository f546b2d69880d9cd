using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Migrations;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;
using StreamSentinel.Persistence.Pipeline;
using StreamSentinel.PostgreSql.Persistence;

namespace StreamSentinel.IntegrationTests.Persistence;

/// <summary>
/// The operational streams at the level of their store, against real databases: a batch read again (after a crash
/// before the commit, or a producer that sent a message twice) stores nothing twice, and bad messages are dead-lettered.
/// </summary>
public sealed class OperationalStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private ServiceProvider _services = null!;

    private ScratchDatabases _databases = null!;

    [OneTimeSetUp]
    public void CreateMeters() => _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [OneTimeTearDown]
    public async Task DisposeMetersAsync() => await _services.DisposeAsync();

    [SetUp]
    public async Task MigrateAsync() => _databases = await IsolatedDatabases.CreateMigratedAsync();

    [TearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task A_batch_read_again_stores_each_event_and_snapshot_once_and_the_hourly_view_adds_up_to_the_rows()
    {
        var audits = Enumerable.Range(0, 30).Select(Audit).ToList();
        var snapshots = Enumerable.Range(0, 40).Select(Snapshot).ToList();
        var messages = Messages([.. audits.Select(Json), .. snapshots.Select(Json)]);
        // The producer sent one of each twice: same ids, later offsets.
        messages.AddRange(Messages([Json(audits[3]), Json(snapshots[7])], firstOffset: 1000));

        await WriteAsync(NewStore(), messages);
        // A successor reads the whole batch again: the first owner stored it and died before committing.
        await WriteAsync(NewStore(), messages);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PostgresAsync("SELECT count(*) FROM system_audit_log WHERE event_id IS NOT NULL"), Is.EqualTo(30));
            Assert.That(await PostgresAsync("SELECT count(DISTINCT event_id) FROM system_audit_log"), Is.EqualTo(30));
            Assert.That(await ClickHouseAsync("SELECT count() FROM performance_metrics"), Is.EqualTo("40"));
            Assert.That(await ClickHouseAsync("SELECT uniqExact(snapshot_id) FROM performance_metrics"), Is.EqualTo("40"));
            Assert.That(
                await ClickHouseAsync("SELECT sum(messages_in), sum(messages_out), sum(errors), sum(dropped) FROM performance_metrics"),
                Is.EqualTo(string.Join('\t', snapshots.Sum(s => s.MessagesIn), snapshots.Sum(s => s.MessagesOut), snapshots.Sum(s => s.Errors), snapshots.Sum(s => s.Dropped))));
        }

        // Per hour and worker, the view holds exactly what the rows add up to.
        var raw = await ClickHouseAsync(
            "SELECT toStartOfHour(interval_end) AS hour, worker_id, count(), sum(messages_in), sum(messages_out), sum(errors), sum(dead_lettered), "
            + "sum(dropped), round(sum(interval_seconds), 3), max(ifNull(e2e_p99_ms, 0)), round(avgIf(e2e_p50_ms, e2e_count > 0), 6), max(ifNull(consumer_lag, 0)) "
            + "FROM performance_metrics GROUP BY hour, worker_id ORDER BY hour, worker_id");
        var view = await ClickHouseAsync(
            "SELECT hour, worker_id, countMerge(snapshots), sumMerge(messages_in), sumMerge(messages_out), sumMerge(errors), sumMerge(dead_lettered), "
            + "sumMerge(dropped), round(sumMerge(seconds), 3), maxMerge(e2e_p99_ms_max), round(avgIfMerge(e2e_p50_ms_avg), 6), maxMerge(consumer_lag_max) "
            + "FROM performance_metrics_hourly GROUP BY hour, worker_id ORDER BY hour, worker_id");
        Assert.That(raw.Split('\n'), Has.Length.EqualTo(2 * 4), "two hours, four workers");
        Assert.That(view, Is.EqualTo(raw));
    }

    [Test]
    public async Task Bad_messages_are_dead_lettered_with_their_reason_and_a_refused_event_does_not_hold_back_the_rest()
    {
        await using (var connection = await _databases.Postgres.OpenConnectionAsync())
        {
            // A rule of this database (a stand-in for any row PostgreSQL refuses) that one valid event breaks.
            await connection.ExecuteAsync("ALTER TABLE system_audit_log ADD CONSTRAINT test_no_forbidden CHECK (entity_id <> 'forbidden')");
        }

        var good = Enumerable.Range(0, 5).Select(Audit).ToList();
        var refused = Audit(5) with { EntityId = "forbidden" };
        var missingActor = JsonSerializer.SerializeToNode(Audit(6), ContractsJsonContext.Default.AuditEvent)!.AsObject();
        missingActor.Remove("actor");
        var unknownKind = JsonSerializer.SerializeToNode(Snapshot(0), ContractsJsonContext.Default.PerformanceSnapshot)!.AsObject();
        unknownKind["worker_kind"] = "scheduler";
        var newerVersion = JsonSerializer.SerializeToNode(Snapshot(1), ContractsJsonContext.Default.PerformanceSnapshot)!.AsObject();
        newerVersion["schema_version"] = 9;
        var messages = Messages(
        [
            .. good.Select(Json), Json(refused), (Topics.AuditEvents, Encoding.UTF8.GetBytes(missingActor.ToJsonString())),
            (Topics.AuditEvents, "not json"u8.ToArray()), Json(Snapshot(2)),
            (Topics.PerformanceMetrics, Encoding.UTF8.GetBytes(unknownKind.ToJsonString())),
            (Topics.PerformanceMetrics, Encoding.UTF8.GetBytes(newerVersion.ToJsonString())),
        ]);

        var batch = await WriteAsync(NewStore(), messages);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                batch.DeadLetters.Select(d => (d.Original.Topic, d.Reason)),
                Is.EquivalentTo(new[]
                {
                    (Topics.AuditEvents, "missing_field"), (Topics.AuditEvents, "malformed_json"), (Topics.PerformanceMetrics, "invalid_value"),
                    (Topics.PerformanceMetrics, "unsupported_schema_version"), (Topics.AuditEvents, "rejected_by_postgres"),
                }));
            Assert.That(batch.DeadLetters.Single(d => d.Reason == "rejected_by_postgres").Detail, Does.Contain("test_no_forbidden"));
            Assert.That(await PostgresAsync("SELECT count(*) FROM system_audit_log WHERE event_id IS NOT NULL"), Is.EqualTo(good.Count));
            Assert.That(await ClickHouseAsync("SELECT count() FROM performance_metrics"), Is.EqualTo("1"));
        }
    }

    [Test]
    public async Task Analysts_verdicts_are_copied_to_ClickHouse_once_and_the_hourly_view_counts_them()
    {
        var detected = new DateTimeOffset(2026, 11, 26, 9, 40, 0, TimeSpan.Zero);
        AuditEvent Change(string to, int i, bool complete = true)
        {
            var details = new JsonObject
            {
                ["from"] = "INVESTIGATING", ["to"] = to, ["transaction_id"] = $"t-{i}", ["event_id"] = new string('a', 64),
                ["model_name"] = "fraud-fasttree", ["detected_at"] = detected.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (complete)
            {
                details["model_version"] = "v-test";
            }

            return Audit(i) with { Actor = "analyst/ana", Action = "alert.status_changed", EntityType = "fraud_alert", EntityId = Guid.NewGuid().ToString(), Details = details };
        }

        AuditEvent[] events =
        [
            Change("CONFIRMED_FRAUD", 1), Change("CONFIRMED_FRAUD", 2), Change("FALSE_POSITIVE", 3),
            Change("INVESTIGATING", 4), Change("RESOLVED", 5), Change("CONFIRMED_FRAUD", 6, complete: false), Audit(7),
        ];
        var messages = Messages(events.Select(Json));

        await WriteAsync(NewStore(), messages);
        await WriteAsync(NewStore(), messages);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ClickHouseAsync("SELECT count(), uniqExact(verdict_id) FROM alert_verdicts"), Is.EqualTo("3\t3"));
            Assert.That(
                await ClickHouseAsync("SELECT toString(hour), model_version, sumMerge(confirmed), sumMerge(false_positives) FROM model_verdicts_hourly GROUP BY hour, model_version"),
                Is.EqualTo("2026-11-26 09:00:00\tv-test\t2\t1"), "by the hour the model decided, not the hour of the verdict");
            Assert.That(await PostgresAsync("SELECT count(*) FROM system_audit_log WHERE event_id IS NOT NULL"), Is.EqualTo(events.Length), "every event in the audit log");
        }
    }

    private OperationalStore NewStore() => new(
        Options.Create(new PersistenceOptions { Instance = "test" }),
        new AuditWriter(_databases.Postgres),
        new PerformanceWriter(_databases.ClickHouse),
        new VerdictWriter(_databases.ClickHouse),
        new PersistenceMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
        Signature);

    // The console's key: analysts' verdicts below are signed with it, as the console signs them (ForgedAuditEventTests
    // has the unsigned and forged ones).
    private static readonly AuditSignature Signature = new(Options.Create(new AuditSigningOptions { KeyId = "test-1", Key = "a-test-key-of-forty-characters-000000000" }));

    private static async Task<OperationalBatch> WriteAsync(OperationalStore store, List<ConsumeResult<byte[]?, byte[]?>> messages)
    {
        var batch = store.Parse(messages);
        await store.WriteAsync(batch, CancellationToken.None);
        return batch;
    }

    private static AuditEvent Audit(int i) => new()
    {
        EventId = Guid.CreateVersion7(),
        OccurredAt = Start.AddMinutes(i),
        Actor = $"persistence/p{i % 3}",
        Action = i % 2 == 0 ? AuditActions.PartitionsAssigned : AuditActions.PartitionsRevoked,
        EntityType = "consumer_group",
        EntityId = "stream-sentinel-persistence",
        Details = new JsonObject { ["count"] = i },
    };

    // Four workers, ten snapshots each, spread over two hours; some without latency or lag.
    private static PerformanceSnapshot Snapshot(int i) => new()
    {
        SnapshotId = Guid.CreateVersion7(),
        WorkerId = $"w{i % 4}",
        WorkerKind = i % 4 == 0 ? WorkerKinds.Gateway : i % 2 == 0 ? WorkerKinds.Detection : WorkerKinds.Persistence,
        IntervalStart = Start.AddMinutes(i * 3),
        IntervalEnd = Start.AddMinutes(i * 3).AddSeconds(10.25),
        MessagesIn = 1000 + i,
        MessagesOut = 990 + i,
        Batches = 2,
        BatchSizeAvg = 500,
        BatchSizeMax = 600,
        FlushLatencyMs = i % 5 == 0 ? null : new LatencySummary(2, 10, 20, 30 + i, 40 + i),
        EndToEndLatencyMs = i % 3 == 0 ? null : new LatencySummary(990, 50, 90, 100 + i, 120 + i),
        ConsumerLag = i % 4 == 0 ? null : i * 10,
        Errors = i % 7,
        DeadLettered = i % 2,
        Dropped = i % 11 == 0 ? 1 : 0,
    };

    private static (string Topic, byte[] Value) Json(AuditEvent audit) =>
        (Topics.AuditEvents, JsonSerializer.SerializeToUtf8Bytes(audit, ContractsJsonContext.Default.AuditEvent));

    private static (string Topic, byte[] Value) Json(PerformanceSnapshot snapshot) =>
        (Topics.PerformanceMetrics, JsonSerializer.SerializeToUtf8Bytes(snapshot, ContractsJsonContext.Default.PerformanceSnapshot));

    private static List<ConsumeResult<byte[]?, byte[]?>> Messages(IEnumerable<(string Topic, byte[] Value)> values, int firstOffset = 0) =>
        [.. values.Select((m, i) => new ConsumeResult<byte[]?, byte[]?>
        {
            Topic = m.Topic,
            Partition = i % 2,
            Offset = firstOffset + i,
            Message = new Message<byte[]?, byte[]?> { Value = m.Value, Headers = m.Topic == Topics.AuditEvents ? Signature.Sign(m.Value) : null },
        })];

    private async Task<long> PostgresAsync(string sql)
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private async Task<string> ClickHouseAsync(string sql) =>
        string.Join('\n', (await _databases.ClickHouse.QueryTsvAsync(sql, CancellationToken.None)).Select(row => string.Join('\t', row)));
}
