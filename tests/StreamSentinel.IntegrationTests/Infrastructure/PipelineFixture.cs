using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A pipeline of its own for one test: a Kafka development broker hosted in the test process (so offsets, groups and
/// the dead-letter topic belong to this test alone), migrated databases of its own, and worker processes started
/// through the real entry point.
/// </summary>
internal sealed class PipelineFixture : IAsyncDisposable
{
    private readonly List<ChildProcess> _workers = [];
    private readonly string _writer;
    private readonly string? _clickHouseWriter;

    private PipelineFixture(DevelopmentBroker broker, ScratchDatabases databases, string writer, string? clickHouseWriter)
    {
        Broker = broker;
        Databases = databases;
        _writer = writer;
        _clickHouseWriter = clickHouseWriter;
        Environment = new Dictionary<string, string>(databases.Environment())
        {
            ["SS_KAFKA"] = broker.BootstrapServers,
            // Detection state of this test alone, in the shared Redis.
            ["UserState__KeyPrefix"] = StatePrefix,
            // Snapshots every second, so that a test of a few seconds sees the operational streams at work.
            ["Operational__SnapshotIntervalSeconds"] = "1",
        };
    }

    public string StatePrefix { get; } = $"ss-test-{Guid.NewGuid():N}:";

    public DevelopmentBroker Broker { get; }

    public ScratchDatabases Databases { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public static async Task<PipelineFixture> StartAsync(int partitions = 6)
    {
        var broker = DevelopmentBroker.Start(1, Topics.All.ToDictionary(t => t, t => t is Topics.DetectionResults or Topics.Transactions ? partitions : 2), NullLogger.Instance);
        var databases = await IsolatedDatabases.CreateMigratedAsync();
        var accounts = await databases.CreateAccountsAsync(TestServers.Current.ClickHouseBi, TestServers.Current.ClickHouseWriter);
        return new PipelineFixture(broker, databases, accounts.PostgresWriter!, accounts.ClickHouseWriter);
    }

    public async Task GenerateAsync(int count, int seed, double alertShare = 0.1, int poison = 0)
    {
        var result = await Cli.RunAsync(Environment, "generate", "results", "--count", $"{count}", "--seed", $"{seed}", "--alert-share", $"{alertShare}", "--poison", $"{poison}");
        Assert.That(result.ExitCode, Is.Zero, result.ToString);
    }

    /// <summary>
    /// Starts a persistence worker and waits until it has partitions (or, with <paramref name="waitForAssignment"/> false,
    /// only until it runs); <paramref name="settings"/> add to or override the fixture's.
    /// </summary>
    public async Task<ChildProcess> StartWorkerAsync(
        string instance, int batchSize = 500, bool waitForAssignment = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        // As production runs it: both stores through the least-privilege writer accounts, never the schema's owner
        // (ClickHouse's only where the server has one: scripts/stack.sh defines it in users.xml).
        var environment = new Dictionary<string, string>(Environment) { ["SS_POSTGRES"] = _writer };
        if (_clickHouseWriter is not null)
        {
            environment["SS_CLICKHOUSE"] = _clickHouseWriter;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var worker = ChildProcess.Start(instance, environment, "run", "persistence", "--instance", instance, "--batch-size", $"{batchSize}", "--batch-wait-ms", "200");
        _workers.Add(worker);
        await worker.WaitForOutputAsync(waitForAssignment ? "Assigned" : "Health, readiness and metrics", TimeSpan.FromMinutes(3));
        return worker;
    }

    /// <summary>Starts a detection worker and waits until it has partitions (or only until it runs); <paramref name="settings"/> add to or override the fixture's.</summary>
    public async Task<ChildProcess> StartDetectionWorkerAsync(
        string instance, int batchSize = 200, bool waitForAssignment = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var worker = ChildProcess.Start(instance, environment, "run", "detection", "--instance", instance, "--batch-size", $"{batchSize}");
        _workers.Add(worker);
        await worker.WaitForOutputAsync(waitForAssignment ? "Assigned" : "Health, readiness and metrics", TimeSpan.FromMinutes(3));
        return worker;
    }

    public async Task SimulateAsync(int count, int seed, params string[] more)
    {
        var result = await Cli.RunAsync(Environment, ["simulate", "--count", $"{count}", "--seed", $"{seed}", .. more]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString);
    }

    /// <summary>Runs <c>verify</c> until it passes (the fleet has caught up) or <paramref name="timeout"/> passes; returns the last report.</summary>
    public async Task<CliResult> VerifyUntilPassedAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var result = await Cli.RunAsync(Environment, "verify");
            if ((result.ExitCode == 0 && result.Output.Contains(" 0 not yet committed", StringComparison.Ordinal)) || stopwatch.Elapsed > timeout)
            {
                return result;
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>Counts beside verify: each results table, fraud_alerts and the dead letters of results, exactly (see <see cref="IndependentCounts"/>).</summary>
    public Task AssertStoredOnceAsync(long results, long alerts, long deadLetters) =>
        IndependentCounts.AssertStoredOnceAsync(Databases.ClickHouse, Databases.PostgresConnectionString, Broker.BootstrapServers, results, alerts, deadLetters);

    /// <summary>What <paramref name="group"/> has not committed of <paramref name="topic"/> on this test's broker.</summary>
    public long Lag(string group, string topic) => IndependentCounts.Lag(Broker.BootstrapServers, group, topic);

    /// <summary>A number the test's ClickHouse database answers (e.g. a count).</summary>
    public async Task<long> ClickHouseScalarAsync(string sql) =>
        long.Parse((await Databases.ClickHouse.QueryTsvAsync(sql, CancellationToken.None))[0][0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A number the test's PostgreSQL database answers (e.g. a count).</summary>
    public async Task<long> PostgresScalarAsync(string sql)
    {
        await using var connection = await Databases.Postgres.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test if it does not within <paramref name="timeout"/>.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Condition not met within {timeout}.");
            }

            await Task.Delay(200);
        }
    }

    public string WorkerLogs() => string.Join("\n", _workers.Select(w => $"===== {w.Name} =====\n{w.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Terminate();
        }

        foreach (var worker in _workers)
        {
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
            worker.Dispose();
        }

        Broker.Dispose();
        await Databases.DisposeAsync();
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestServers.Current.Redis);
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: StatePrefix + "*"))
            {
                await redis.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
