using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Persistence;

/// <summary>
/// The persistence fleet end to end, through the real entry point: worker processes, a broker and databases of the
/// test's own, and <c>verify</c> as the judge of exactly-once in every store.
/// </summary>
public sealed class PersistenceFleetTests
{
    private const string Group = "stream-sentinel-persistence";

    private static readonly TimeSpan CatchUp = TimeSpan.FromMinutes(3);

    [Test]
    public async Task Every_result_is_stored_once_and_every_poison_kind_is_dead_lettered_with_its_reason()
    {
        await using var pipeline = await PipelineFixture.StartAsync();
        await pipeline.StartWorkerAsync("solo");
        var poisonCount = PoisonMessages.Kinds.Count;

        await pipeline.GenerateAsync(count: 3000, seed: 11, alertShare: 0.2, poison: poisonCount);
        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);

        Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
        Assert.That(report.Output, Does.Contain($"3,000 valid results, {poisonCount} poison").And.Contain(" 0 not yet committed"));
        var reasons = ReadDeadLetterReasons(pipeline);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reasons.Keys, Is.EquivalentTo(PoisonMessages.Kinds.Select(k => k.Kind)));
            foreach (var (kind, reason, _) in PoisonMessages.Kinds)
            {
                Assert.That(reasons.GetValueOrDefault(kind), Is.EqualTo(reason), kind);
            }
        }

        await pipeline.AssertStoredOnceAsync(3000, IndependentCounts.GeneratedAlerts(3000, seed: 11, alertShare: 0.2), poisonCount);
    }

    [Test]
    public async Task Kill_9_in_the_middle_of_a_run_then_a_restart_gives_exact_counts()
    {
        await using var pipeline = await PipelineFixture.StartAsync();
        // Small ClickHouse blocks, so that the stores fill in steps the kill can land between (one default block
        // can hold the whole run).
        var victim = await pipeline.StartWorkerAsync("victim", batchSize: 200, settings: new Dictionary<string, string> { ["Persistence__ClickHouseBlockRows"] = "1000" });
        await pipeline.GenerateAsync(count: 20_000, seed: 12, alertShare: 0.2);

        // Wait until it has written part of the run, then kill it without warning.
        await PipelineFixture.WaitForAsync(async () => await pipeline.ClickHouseScalarAsync("SELECT count() FROM detection_results") > 2000, TimeSpan.FromMinutes(1));
        victim.Kill();
        Assert.That(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.True, "kill -9 ends the worker");

        // Counted once it is dead (nothing moves until the successor starts): the kill landed mid-work.
        var storedAtKill = await pipeline.ClickHouseScalarAsync("SELECT count() FROM detection_results");
        var lagAtKill = pipeline.Lag(Group, Topics.DetectionResults);
        await pipeline.StartWorkerAsync("successor", batchSize: 200);

        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(storedAtKill, Is.LessThan(20_000), "results stored when the worker died");
            Assert.That(lagAtKill, Is.Positive, "results not committed when the worker died");
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("20,000 valid results").And.Contain(" 0 not yet committed"));
        }

        await pipeline.AssertStoredOnceAsync(20_000, IndependentCounts.GeneratedAlerts(20_000, seed: 12, alertShare: 0.2), deadLetters: 0);
    }

    [Test]
    public async Task Three_workers_with_one_leaving_and_one_joining_give_exact_counts()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 6);
        var first = await pipeline.StartWorkerAsync("w1", batchSize: 300);
        await pipeline.StartWorkerAsync("w2", batchSize: 300, waitForAssignment: false);
        await pipeline.StartWorkerAsync("w3", batchSize: 300, waitForAssignment: false);
        await pipeline.GenerateAsync(count: 30_000, seed: 13, alertShare: 0.1);

        await PipelineFixture.WaitForAsync(async () => await pipeline.ClickHouseScalarAsync("SELECT count() FROM detection_results") > 3000, TimeSpan.FromMinutes(1));
        first.Terminate();
        await pipeline.StartWorkerAsync("w4", batchSize: 300, waitForAssignment: false);
        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);

        Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
        Assert.That(report.Output, Does.Contain("30,000 valid results").And.Contain(" 0 not yet committed"));
        await pipeline.AssertStoredOnceAsync(30_000, IndependentCounts.GeneratedAlerts(30_000, seed: 13, alertShare: 0.1), deadLetters: 0);
        Assert.That(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "SIGTERM stops a worker in bounded time");
        Assert.That(first.ExitCode, Is.Zero, first.Output);
        Assert.That(first.Output, Does.Contain("Stopped: last batch"));
    }

    [Test]
    public async Task PostgreSQL_refusing_connections_under_load_makes_the_worker_unready_then_ready_and_loses_nothing()
    {
        await using var pipeline = await PipelineFixture.StartAsync();
        var worker = await pipeline.StartWorkerAsync("patient", batchSize: 500);
        // The worker may log its HTTP address just after its first assignment.
        await worker.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = worker.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        var readyBefore = await WorkerEndpoints.StatusAsync(http, "/readyz");
        var committedBefore = WorkerEndpoints.MetricTotal(await http.GetStringAsync("/metrics"), "stream_sentinel_persistence_committed_total");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(pipeline.Databases.PostgresConnectionString).Database!;
        await using var admin = new Npgsql.NpgsqlConnection(TestServers.Current.Postgres);
        await admin.OpenAsync();

        // The outage: this database refuses every connection, and the ones open are cut (the shared server stays up, so
        // no other test is disturbed).
        await admin.ExecuteAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
        await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database", new { database });
        await pipeline.GenerateAsync(count: 5000, seed: 14, alertShare: 0.3);
        await worker.WaitForOutputAsync("partitions paused", TimeSpan.FromMinutes(1));
        await PipelineFixture.WaitForAsync(async () => await WorkerEndpoints.StatusAsync(http, "/readyz") == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
        var lagWhileDown = pipeline.Lag(Group, Topics.DetectionResults);
        await admin.ExecuteAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true");
        await PipelineFixture.WaitForAsync(async () => await WorkerEndpoints.StatusAsync(http, "/readyz") == HttpStatusCode.OK, TimeSpan.FromMinutes(1));

        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);
        var committedAfter = WorkerEndpoints.MetricTotal(await http.GetStringAsync("/metrics"), "stream_sentinel_persistence_committed_total");
        var latencies = (await http.GetFromJsonAsync("/latency", LatencyJsonContext.Default.LatencyReport))!.Latencies;
        var flushes = latencies.Single(l => l.Instrument == "stream_sentinel.persistence.flush.duration" && l.Collection == "detection_results");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(readyBefore, Is.EqualTo(HttpStatusCode.OK), "ready before the outage");
            Assert.That(flushes.Count, Is.Positive, "/latency: every insert into detection_results timed");
            Assert.That(new[] { flushes.P50Ms, flushes.P99Ms, flushes.MaxMs }, Is.Ordered.And.All.Positive, "/latency: percentiles of real values");
            Assert.That(flushes.Decode().Count, Is.EqualTo(flushes.Count), "/latency: the histogram carries every value");
            Assert.That(lagWhileDown, Is.Positive, "results waiting while the database refused connections");
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("5,000 valid results").And.Contain(" 0 not yet committed"));
            // Which stream paused depends on which write met the outage first (results or operational); one resumed by itself.
            Assert.That(worker.Output, Does.Match("Databases answer again; partitions of (results|operational) resumed"));
            // The counter moves with the results and the operational streams' messages alike (a few before any result): it
            // must have moved by the results at least; exact counts are the stores' job, asserted below.
            Assert.That(committedAfter - committedBefore, Is.GreaterThanOrEqualTo(5000), "/metrics: the committed counter moved with the results");
        }

        await pipeline.AssertStoredOnceAsync(5000, IndependentCounts.GeneratedAlerts(5000, seed: 14, alertShare: 0.3), deadLetters: 0);
    }

    [Test]
    public async Task Results_Kafka_deleted_before_the_group_read_them_are_reported_lost_by_verify()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 1);
        var first = await pipeline.StartWorkerAsync("before");
        await pipeline.GenerateAsync(count: 500, seed: 21);
        var clean = await pipeline.VerifyUntilPassedAsync(CatchUp);
        Assert.That(clean.ExitCode, Is.Zero, () => clean + pipeline.WorkerLogs());
        first.Terminate();
        Assert.That(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True);

        // While no worker runs, more arrives than the development broker keeps of a partition (~5 MiB): the oldest of
        // it is deleted unread. What was lost is known from the broker alone: from the committed 500 to its first offset.
        await pipeline.GenerateAsync(count: 40_000, seed: 22);
        var low = IndependentCounts.LowWatermark(pipeline.Broker.BootstrapServers, Topics.DetectionResults, 0);
        Assert.That(low, Is.GreaterThan(500), "the broker deleted results the group had not read");

        await pipeline.StartWorkerAsync("after");
        await PipelineFixture.WaitForAsync(() => Task.FromResult(pipeline.Lag(Group, Topics.DetectionResults) == 0), CatchUp);
        CliResult report = null!;
        await PipelineFixture.WaitForAsync(
            async () => (report = await Infrastructure.Cli.RunAsync(pipeline.Environment, "verify")).Output.Contains("deleted from Kafka", StringComparison.Ordinal),
            TimeSpan.FromMinutes(1));

        var lost = (low - 500).ToString("N0", CultureInfo.InvariantCulture);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.ExitCode, Is.Not.Zero, () => report.ToString());
            Assert.That(report.Output, Does.Contain($"{lost} messages were deleted from Kafka (retention) before the group read them"), () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain($"partition 0 offsets 500..{low - 1}"));
            Assert.That(report.Output, Does.Contain("Integrity: FAILED."));
        }
    }

    [Test]
    public async Task Batches_read_while_PostgreSQL_is_slow_are_written_in_one_transaction_and_stored_once()
    {
        const int BatchSize = 200;
        await using var pipeline = await PipelineFixture.StartAsync();
        var worker = await pipeline.StartWorkerAsync("merging", batchSize: BatchSize);
        await worker.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = worker.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(TestServers.Current.Postgres)
        {
            Database = new Npgsql.NpgsqlConnectionStringBuilder(pipeline.Databases.PostgresConnectionString).Database,
        };
        await using var blocker = new Npgsql.NpgsqlConnection(admin.ConnectionString);
        await blocker.OpenAsync();

        // A slow database: the first batch's transaction waits for a lock on the progress table (its span is recorded
        // there) while the rest of the results arrive and are read (2 % alerts: ~100, below Persistence:MaxBatchPostgresRows).
        await using (var hold = await blocker.BeginTransactionAsync())
        {
            await blocker.ExecuteAsync("LOCK TABLE persistence_progress IN EXCLUSIVE MODE", transaction: hold);
            await pipeline.GenerateAsync(count: 5000, seed: 16, alertShare: 0.02);
            await PipelineFixture.WaitForAsync(
                async () => WorkerEndpoints.MetricTotal(await http.GetStringAsync("/metrics"), "messaging_client_consumed_messages_total") >= 5000,
                TimeSpan.FromMinutes(1));
            Assert.That(await pipeline.PostgresScalarAsync("SELECT count(*) FROM fraud_alerts"), Is.Zero, "nothing written while the lock is held");
            await hold.CommitAsync();
        }

        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);
        var sizes = PrometheusText.Samples(await http.GetStringAsync("/metrics"), "stream_sentinel_persistence_postgres_batch_size_bucket");
        var transactions = sizes.Single(s => s.Labels["le"] == "+Inf").Value;
        var withinOnePoll = sizes.Single(s => s.Labels["le"] == BatchSize.ToString(CultureInfo.InvariantCulture)).Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("5,000 valid results").And.Contain(" 0 not yet committed"));
            // The poll batches read during the wait went into the next transaction together, not one transaction each.
            Assert.That(transactions - withinOnePoll, Is.Positive, "a transaction of more results than one poll batch");
            Assert.That(transactions, Is.LessThan(5000 / BatchSize), "fewer transactions than poll batches");
        }

        await pipeline.AssertStoredOnceAsync(5000, IndependentCounts.GeneratedAlerts(5000, seed: 16, alertShare: 0.02), deadLetters: 0);
    }

    [Test]
    public async Task ClickHouse_cut_off_under_load_makes_the_worker_unready_then_ready_and_loses_nothing()
    {
        await using var pipeline = await PipelineFixture.StartAsync();
        var clickHouse = new DbConnectionStringBuilder { ConnectionString = pipeline.Databases.ClickHouseConnectionString };
        await using var relay = TcpRelay.Start(
            clickHouse.TryGetValue("Host", out var host) ? (string)host : "127.0.0.1", int.Parse((string)clickHouse["Port"], CultureInfo.InvariantCulture));
        clickHouse["Port"] = relay.Port.ToString(CultureInfo.InvariantCulture);
        var worker = await pipeline.StartWorkerAsync("cut-off", batchSize: 500, settings: new Dictionary<string, string> { ["SS_CLICKHOUSE"] = clickHouse.ConnectionString });
        await worker.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = worker.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        var readyBefore = await WorkerEndpoints.StatusAsync(http, "/readyz");

        // The outage: the worker's only way to ClickHouse refuses connections and resets the open ones; the server
        // itself stays up for every other test, and for this test's own counts.
        relay.Cut();
        await pipeline.GenerateAsync(count: 5000, seed: 15, alertShare: 0.3);
        await worker.WaitForOutputAsync("Writing a ClickHouse block of", TimeSpan.FromMinutes(1));
        await PipelineFixture.WaitForAsync(async () => await WorkerEndpoints.StatusAsync(http, "/readyz") == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
        var storedWhileDown = await pipeline.ClickHouseScalarAsync("SELECT count() FROM detection_results");
        var lagWhileDown = pipeline.Lag(Group, Topics.DetectionResults);
        relay.Restore();
        await PipelineFixture.WaitForAsync(async () => await WorkerEndpoints.StatusAsync(http, "/readyz") == HttpStatusCode.OK, TimeSpan.FromMinutes(1));

        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(readyBefore, Is.EqualTo(HttpStatusCode.OK), "ready before the outage");
            Assert.That(storedWhileDown, Is.Zero, "nothing reached ClickHouse while the worker was cut off from it");
            // Offsets are committed only as far as both stores hold the results, so every result is still owed.
            Assert.That(lagWhileDown, Is.EqualTo(5000), "results uncommitted while ClickHouse was unreachable");
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("5,000 valid results").And.Contain(" 0 not yet committed"));
        }

        await pipeline.AssertStoredOnceAsync(5000, IndependentCounts.GeneratedAlerts(5000, seed: 15, alertShare: 0.3), deadLetters: 0);
    }

    private static Dictionary<string, string> ReadDeadLetterReasons(PipelineFixture pipeline)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DeadLetters);
        var reasons = new Dictionary<string, string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (reasons.Count < PoisonMessages.Kinds.Count && DateTime.UtcNow < deadline)
        {
            var message = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (message?.Message.Headers is { } headers
                && headers.TryGetLastBytes("ss-poison-kind", out var kind)
                && headers.TryGetLastBytes("ss-dlq-reason", out var reason))
            {
                Assert.That(headers.TryGetLastBytes("ss-dlq-worker", out _) && headers.TryGetLastBytes("ss-dlq-original-offset", out _), Is.True);
                reasons[Encoding.UTF8.GetString(kind)] = Encoding.UTF8.GetString(reason);
            }
        }

        consumer.Close();
        return reasons;
    }
}
