using System.Text.Json;
using Confluent.Kafka;
using Dapper;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Persistence;

/// <summary>
/// <c>verify</c> proven to fail (issue 20): a clean run stored once by a real worker, then each fault verify must catch
/// planted by SQL (or, for the dead-letter topic, by a group that skipped a poison message): exit code 4, the wrong
/// store named with the exact count, and, once the plant is removed, exit code 0 again, so that the plant alone made
/// the difference. Every exactly-once test of the suite leans on verify; these show it is not a judge that always
/// says OK.
/// </summary>
public sealed class VerifyFaultTests
{
    private const int Results = 2000;

    private PipelineFixture _pipeline = null!;
    private int _plants;

    [OneTimeSetUp]
    public async Task StoreACleanRunAsync()
    {
        _pipeline = await PipelineFixture.StartAsync(partitions: 4);
        var worker = await _pipeline.StartWorkerAsync("clean");
        await _pipeline.GenerateAsync(count: Results, seed: 20, alertShare: 0.2, poison: PoisonMessages.Kinds.Count);
        var report = await _pipeline.VerifyUntilPassedAsync(TimeSpan.FromMinutes(2));
        Assert.That(report.ExitCode, Is.Zero, () => report + _pipeline.WorkerLogs());

        // Nothing may change the stores while faults are planted: the worker leaves (its last snapshots and audit events
        // stay uncommitted, which verify does not expect anywhere).
        worker.Terminate();
        Assert.That(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, worker.Output);
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [TestCase("transaction_records")]
    [TestCase("fraud_features")]
    public async Task A_missing_row_is_lost_in_its_table(string table)
    {
        var eventId = await AnEventAsync(alert: false);

        var caught = await PlantInClickHouseAsync(table, eventId, $"ALTER TABLE {table} DELETE WHERE event_id = {ClickHouseLiteral.Text(eventId)}");

        Assert.That(caught[$"clickhouse {table}"], Is.EqualTo(Row($"clickhouse {table}", Results, Results - 1, lost: 1)));
    }

    [Test]
    public async Task A_missing_detection_result_is_lost_and_both_views_are_one_row_ahead()
    {
        var eventId = await AnEventAsync(alert: false);

        // Deleting from the source does not touch the views (a mutation is not an insert): they keep the row.
        var caught = await PlantInClickHouseAsync(
            "detection_results", eventId, $"ALTER TABLE detection_results DELETE WHERE event_id = {ClickHouseLiteral.Text(eventId)}",
            "clickhouse view fraud_rate_hourly", "clickhouse view model_accuracy_hourly");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(caught["clickhouse detection_results"], Is.EqualTo(Row("clickhouse detection_results", Results, Results - 1, lost: 1)));
            Assert.That(caught["clickhouse view fraud_rate_hourly"], Is.EqualTo(Row("clickhouse view fraud_rate_hourly", Results - 1, Results, duplicated: 1)));
            Assert.That(caught["clickhouse view model_accuracy_hourly"], Is.EqualTo(Row("clickhouse view model_accuracy_hourly", Results - 1, Results, duplicated: 1)));
        }
    }

    [Test]
    public async Task A_row_stored_twice_is_duplicated()
    {
        var eventId = await AnEventAsync(alert: true);

        var caught = await PlantInClickHouseAsync("fraud_features", eventId, $"INSERT INTO fraud_features SELECT * FROM fraud_features WHERE event_id = {ClickHouseLiteral.Text(eventId)}");

        Assert.That(caught["clickhouse fraud_features"], Is.EqualTo(Row("clickhouse fraud_features", Results, Results + 1, duplicated: 1)));
    }

    [Test]
    public async Task Verify_json_names_the_planted_duplicate_with_its_counts()
    {
        var eventId = await AnEventAsync(alert: false);
        CliResult? json = null;

        var caught = await PlantInClickHouseAsync(
            "fraud_features", eventId, $"INSERT INTO fraud_features SELECT * FROM fraud_features WHERE event_id = {ClickHouseLiteral.Text(eventId)}",
            whilePlanted: async () => json = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify", "--json"));

        // The documented shape (README, "verify --json"), read as any script would: snake_case names, one object per store.
        using var document = JsonDocument.Parse(json!.StandardOutput);
        var root = document.RootElement;
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("store").GetString()!);
        var features = checks["clickhouse fraud_features"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(json.ExitCode, Is.EqualTo(4), json.ToString);
            Assert.That(root.GetProperty("passed").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("valid").GetInt64(), Is.EqualTo(Results));
            Assert.That(root.GetProperty("poison").GetInt64(), Is.EqualTo(PoisonMessages.Kinds.Count));
            Assert.That(root.GetProperty("messages").GetInt64(), Is.EqualTo(Results + PoisonMessages.Kinds.Count));
            Assert.That(root.GetProperty("kafka_truncated").GetBoolean(), Is.False);
            Assert.That(features.GetProperty("expected").GetInt64(), Is.EqualTo(Results));
            Assert.That(features.GetProperty("found").GetInt64(), Is.EqualTo(Results + 1));
            Assert.That(features.GetProperty("duplicated").GetInt64(), Is.EqualTo(1));
            Assert.That(features.GetProperty("lost").GetInt64(), Is.Zero);
            Assert.That(features.GetProperty("misrouted").GetInt64(), Is.Zero);
            Assert.That(features.GetProperty("unknown").GetInt64(), Is.Zero);
            Assert.That(features.GetProperty("passed").GetBoolean(), Is.False);
            // The JSON says what the table says, store for store.
            Assert.That(checks.Where(c => !c.Value.GetProperty("passed").GetBoolean()).Select(c => c.Key), Is.EquivalentTo(new[] { "clickhouse fraud_features" }));
            Assert.That(checks.Keys, Is.EquivalentTo(caught.Keys));
        }
    }

    [Test]
    public async Task An_event_stored_again_under_other_coordinates_is_duplicated()
    {
        var eventId = await AnEventAsync(alert: false);

        // Same event, an offset no message has: not the same row twice, but the same event twice.
        var caught = await PlantInClickHouseAsync(
            "transaction_records", eventId,
            $"INSERT INTO transaction_records SELECT {RecordColumns.Replace("kafka_offset", "kafka_offset + 1000000", StringComparison.Ordinal)} "
            + $"FROM transaction_records WHERE event_id = {ClickHouseLiteral.Text(eventId)}");

        Assert.That(caught["clickhouse transaction_records"], Is.EqualTo(Row("clickhouse transaction_records", Results, Results, duplicated: 1)));
    }

    [Test]
    public async Task A_row_no_message_carries_is_unknown()
    {
        const string stray = "stray-event-planted-by-a-test";

        var caught = await PlantInClickHouseAsync(
            "transaction_records", stray,
            $"INSERT INTO transaction_records SELECT {ClickHouseLiteral.Text(stray)}, 'txn-stray', "
            + $"{RecordColumns[RecordColumns.IndexOf("user_id", StringComparison.Ordinal)..].Replace("kafka_offset", "999999", StringComparison.Ordinal)} FROM transaction_records LIMIT 1");

        Assert.That(caught["clickhouse transaction_records"], Is.EqualTo(Row("clickhouse transaction_records", Results, Results) with { Unknown = 1, Passed = false }));
    }

    [Test]
    public async Task A_view_with_one_hour_counted_as_another_is_out_of_step_though_its_totals_match()
    {
        var hour = (await _pipeline.Databases.ClickHouse.QueryTsvAsync("SELECT toUnixTimestamp(min(hour)) FROM fraud_rate_hourly_agg", CancellationToken.None))[0][0];
        var rows = await _pipeline.ClickHouseScalarAsync($"SELECT count() FROM detection_results WHERE toStartOfHour(event_time) = toDateTime({hour})");
        var where = $"hour = toDateTime({hour})";
        var earlier = $"hour = toDateTime({hour}) - 3600";
        await ClickHouseAsync("CREATE TABLE view_aside AS fraud_rate_hourly_agg ENGINE = Memory");
        await ClickHouseAsync($"INSERT INTO view_aside SELECT * FROM fraud_rate_hourly_agg WHERE {where}");

        // The hour's aggregates move one hour back: every total of the view is unchanged, one hour is short, one over.
        await ClickHouseAsync($"ALTER TABLE fraud_rate_hourly_agg DELETE WHERE {where}");
        await MutationsDoneAsync();
        await ClickHouseAsync(
            "INSERT INTO fraud_rate_hourly_agg SELECT hour - 3600, merchant_category, country, results, alerts, critical, high, medium, amount_total, alert_amount, score_avg "
            + "FROM view_aside");
        var viewTotal = await _pipeline.ClickHouseScalarAsync("SELECT countMerge(results) FROM fraud_rate_hourly");
        var caught = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");

        await ClickHouseAsync($"ALTER TABLE fraud_rate_hourly_agg DELETE WHERE {earlier}");
        await MutationsDoneAsync();
        await ClickHouseAsync("INSERT INTO fraud_rate_hourly_agg SELECT * FROM view_aside");
        await ClickHouseAsync("DROP TABLE view_aside");
        var clean = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(viewTotal, Is.EqualTo(Results), "the plant keeps the view's whole-table total");
            AssertCaught(caught, clean, "clickhouse view fraud_rate_hourly");
            Assert.That(VerifyOutput.Rows(caught.Output)["clickhouse view fraud_rate_hourly"], Is.EqualTo(Row("clickhouse view fraud_rate_hourly", Results, Results, lost: rows, duplicated: rows)));
        }
    }

    [Test]
    public async Task An_alert_for_a_result_routed_nowhere_is_misrouted()
    {
        var eventId = await AnEventAsync(alert: false);
        var transaction = await TransactionOfAsync(eventId);

        var caught = await PlantInPostgresAsync(
            $"INSERT INTO fraud_alerts (transaction_id, event_id, {AlertValues}) SELECT @transaction, @eventId, {AlertValues} FROM fraud_alerts LIMIT 1",
            "DELETE FROM fraud_alerts WHERE transaction_id = @transaction",
            new { transaction, eventId });

        // The planted alert has no user_accounts increment either: the consistency check sees one alert too many.
        Assert.That(caught["postgres fraud_alerts"], Is.EqualTo(Row("postgres fraud_alerts", AlertCount, AlertCount, duplicated: 1, misrouted: 1)));
    }

    [Test]
    public async Task A_missing_alert_is_lost()
    {
        var eventId = await AnEventAsync(alert: true);
        var transaction = await TransactionOfAsync(eventId);

        var caught = await PlantInPostgresAsync(
            "CREATE TABLE alert_aside AS SELECT * FROM fraud_alerts WHERE transaction_id = @transaction; DELETE FROM fraud_alerts WHERE transaction_id = @transaction",
            $"INSERT INTO fraud_alerts ({AlertColumns}) SELECT {AlertColumns} FROM alert_aside; DROP TABLE alert_aside",
            new { transaction });

        Assert.That(caught["postgres fraud_alerts"], Is.EqualTo(Row("postgres fraud_alerts", AlertCount, AlertCount - 1, lost: 1, duplicated: 1)));
    }

    [Test]
    public async Task An_alert_for_a_transaction_unknown_to_Kafka_is_unknown()
    {
        var caught = await PlantInPostgresAsync(
            $"INSERT INTO fraud_alerts (transaction_id, event_id, {AlertValues}) SELECT 'txn-unknown-to-kafka', repeat('e', 64), {AlertValues} FROM fraud_alerts LIMIT 1",
            "DELETE FROM fraud_alerts WHERE transaction_id = 'txn-unknown-to-kafka'",
            null);

        Assert.That(caught["postgres fraud_alerts"], Is.EqualTo(Row("postgres fraud_alerts", AlertCount, AlertCount, duplicated: 1) with { Unknown = 1 }));
    }

    [Test]
    public async Task A_poison_message_committed_without_its_dead_letter_is_lost_in_the_dead_letter_topic()
    {
        // A group that went past a poison message without dead-lettering it: the real group's offsets, and one poison
        // message more on partition 0. The real group is left alone (the message is only uncommitted for it).
        var group = $"verify-fault-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _pipeline.Broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(new TopicPartition(Topics.DetectionResults, 0), new Message<byte[]?, byte[]?> { Value = "{ not a result"u8.ToArray() });
        }

        var partitions = Enumerable.Range(0, 4).Select(p => new TopicPartition(Topics.DetectionResults, p)).ToList();
        List<TopicPartitionOffset> offsets;
        using (var real = Consumer("stream-sentinel-persistence"))
        {
            offsets = real.Committed(partitions, TimeSpan.FromSeconds(10));
            var high = real.QueryWatermarkOffsets(partitions[0], TimeSpan.FromSeconds(10)).High;
            offsets = [.. offsets.Select(o => o.Partition.Value == 0 ? new TopicPartitionOffset(o.TopicPartition, high) : o)];
        }

        using (var skipping = Consumer(group))
        {
            skipping.Commit(offsets);
        }

        var caught = await Infrastructure.Cli.RunAsync(new Dictionary<string, string>(_pipeline.Environment) { ["Persistence__ConsumerGroup"] = group }, "verify");
        var clean = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");

        using (Assert.EnterMultipleScope())
        {
            AssertCaught(caught, clean, "kafka fraud-detection-dlq (fraud-detection-results)");
            var poison = PoisonMessages.Kinds.Count;
            Assert.That(VerifyOutput.Rows(caught.Output)["kafka fraud-detection-dlq (fraud-detection-results)"], Is.EqualTo(Row("kafka fraud-detection-dlq (fraud-detection-results)", poison + 1, poison, lost: 1)));
        }
    }

    // The columns of fraud_alerts that describe an alert, copied into a planted one (which gets an id of its own).
    private const string AlertValues =
        "user_id, severity, fraud_score, business_rules_triggered, explanation, status, assignee, amount, currency, "
        + "merchant_id, merchant_category, country, model_name, model_version, event_time, detected_at, created_at, updated_at";

    // Every column of fraud_alerts a row is written with (severity_rank is generated).
    private const string AlertColumns = "id, transaction_id, event_id, " + AlertValues;

    private const string RecordColumns =
        "event_id, transaction_id, user_id, card_id, merchant_id, merchant_category, amount, currency, event_time, latitude, longitude, "
        + "country, device_id, ip_address, channel, ingested_at, kafka_topic, kafka_partition, kafka_offset, inserted_at";

    private long AlertCount { get; set; }

    private static VerifyRow Row(string store, long expected, long found, long lost = 0, long duplicated = 0, long misrouted = 0) =>
        new(store, expected, found, lost, duplicated, misrouted, 0, lost + duplicated + misrouted == 0);

    private static void AssertCaught(CliResult caught, CliResult clean, params string[] stores)
    {
        Assert.That(caught.ExitCode, Is.EqualTo(4), caught.ToString);
        Assert.That(VerifyOutput.FailedStores(caught.Output), Is.EquivalentTo(stores), caught.ToString);
        Assert.That(caught.Output, Does.Contain("Integrity: FAILED."));
        Assert.That(clean.ExitCode, Is.Zero, () => "verify after the plant was removed: " + clean);
    }

    /// <summary>
    /// Plants a fault in one ClickHouse table about one event (its rows are set aside first), runs verify, then puts the
    /// event's rows back as they were (without the views seeing the re-insert) and runs verify again.
    /// </summary>
    private Task<IReadOnlyDictionary<string, VerifyRow>> PlantInClickHouseAsync(string table, string eventId, string plant, params string[] alsoFailing) =>
        PlantInClickHouseAsync(table, eventId, plant, whilePlanted: null, alsoFailing);

    // whilePlanted: runs after verify has caught the plant, before it is removed.
    private async Task<IReadOnlyDictionary<string, VerifyRow>> PlantInClickHouseAsync(
        string table, string eventId, string plant, Func<Task>? whilePlanted, params string[] alsoFailing)
    {
        var aside = $"aside_{++_plants}";
        var theEvent = $"event_id = {ClickHouseLiteral.Text(eventId)}";
        await ClickHouseAsync($"CREATE TABLE {aside} AS {table} ENGINE = Memory");
        await ClickHouseAsync($"INSERT INTO {aside} SELECT * FROM {table} WHERE {theEvent}");
        await ClickHouseAsync(plant);
        await MutationsDoneAsync();
        var caught = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");
        if (whilePlanted is not null)
        {
            await whilePlanted();
        }

        await ClickHouseAsync($"ALTER TABLE {table} DELETE WHERE {theEvent}");
        await MutationsDoneAsync();
        string[] views = table == "detection_results" ? ["fraud_rate_hourly", "model_accuracy_hourly"] : [];
        foreach (var view in views)
        {
            await ClickHouseAsync($"DETACH TABLE {view}");
        }

        await ClickHouseAsync($"INSERT INTO {table} SELECT * FROM {aside}");
        foreach (var view in views)
        {
            await ClickHouseAsync($"ATTACH TABLE {view}");
        }

        await ClickHouseAsync($"DROP TABLE {aside}");
        var clean = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");
        AssertCaught(caught, clean, [$"clickhouse {table}", .. alsoFailing]);
        return VerifyOutput.Rows(caught.Output);
    }

    /// <summary>Plants a fault in PostgreSQL, runs verify, removes it and runs verify again.</summary>
    private async Task<IReadOnlyDictionary<string, VerifyRow>> PlantInPostgresAsync(string plant, string undo, object? parameters)
    {
        await using var connection = await _pipeline.Databases.Postgres.OpenConnectionAsync();
        AlertCount = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM fraud_alerts");
        await connection.ExecuteAsync(plant, parameters);
        var caught = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");
        await connection.ExecuteAsync(undo, parameters);
        var clean = await Infrastructure.Cli.RunAsync(_pipeline.Environment, "verify");
        AssertCaught(caught, clean, "postgres fraud_alerts");
        return VerifyOutput.Rows(caught.Output);
    }

    private async Task<string> AnEventAsync(bool alert) =>
        (await _pipeline.Databases.ClickHouse.QueryTsvAsync($"SELECT min(event_id) FROM detection_results WHERE is_alert = {(alert ? 1 : 0)}", CancellationToken.None))[0][0];

    private async Task<string> TransactionOfAsync(string eventId) =>
        (await _pipeline.Databases.ClickHouse.QueryTsvAsync($"SELECT any(transaction_id) FROM detection_results WHERE event_id = {ClickHouseLiteral.Text(eventId)}", CancellationToken.None))[0][0];

    private Task ClickHouseAsync(string sql) => ClickHouseHttp.ExecuteAsync(_pipeline.Databases.ClickHouseConnectionString, sql);

    /// <summary>ClickHouse 18.16 has no mutations_sync: a DELETE is done when system.mutations says so.</summary>
    private Task MutationsDoneAsync() =>
        PipelineFixture.WaitForAsync(
            async () => await _pipeline.ClickHouseScalarAsync("SELECT count() FROM system.mutations WHERE database = currentDatabase() AND is_done = 0") == 0,
            TimeSpan.FromSeconds(30));

    private IConsumer<byte[]?, byte[]?> Consumer(string group) =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = _pipeline.Broker.BootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
}
