using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.PostgreSql.Persistence;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A console under test, as production runs it: scratch databases holding results stored the way the persistence
/// fleet stores them, the analyst account in PostgreSQL and the read-only account in ClickHouse, started through the
/// entry point on a port chosen here, so that its fleet page can probe the console itself beside a worker that is not there.
/// </summary>
internal sealed partial class ConsoleFixture : IAsyncDisposable
{
    private ConsoleFixture(ScratchDatabases databases, IReadOnlyList<PersistableResult> results, ChildProcess console, Uri address, IReadOnlyDictionary<string, string> environment)
    {
        Databases = databases;
        Results = results;
        Console = console;
        Address = address;
        Environment = environment;
    }

    private long _nextSnapshotOffset;
    private int _nextResult;

    public ScratchDatabases Databases { get; }

    /// <summary>Every stored result: alerts in PostgreSQL (with their alert.created audit), all in ClickHouse.</summary>
    public IReadOnlyList<PersistableResult> Results { get; }

    public ChildProcess Console { get; }

    public Uri Address { get; }

    /// <summary>The console's environment, to start another one like it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <param name="seed">Seed of the synthetic results.</param>
    /// <param name="alertShare">Share of them that are alerts.</param>
    /// <param name="results">How many synthetic results, with event times from three hours ago.</param>
    /// <param name="users">Who may sign in: name, password, role.</param>
    /// <param name="snapshots">Performance snapshots the fleet page finds stored.</param>
    /// <param name="settings">More of the console's environment (e.g. <c>Console__FourEyes__Enabled</c>).</param>
    public static async Task<ConsoleFixture> StartAsync(
        int seed,
        double alertShare,
        int results,
        IReadOnlyList<(string Name, string Password, string Role)> users,
        IReadOnlyList<PerformanceSnapshot> snapshots,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var databases = await IsolatedDatabases.CreateMigratedAsync();
        var generator = new SyntheticResults(seed, alertShare, DateTimeOffset.UtcNow.AddHours(-3));
        var stored = Enumerable.Range(0, results).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 3, i / 3), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        }).ToList();
        await new AlertWriter(databases.Postgres).WriteAsync(stored, [], "persistence-test", "test", CancellationToken.None);
        foreach (var table in new[] { ResultTable.TransactionRecords, ResultTable.DetectionResults })
        {
            await new ResultWriter(databases.ClickHouse).InsertAsync(table, stored, CancellationToken.None);
        }

        var snapshotOffsets = await StoreSnapshotsAsync(databases, snapshots, firstOffset: 0);

        var accounts = await databases.CreateAccountsAsync(TestServers.Current.ClickHouseBi);
        var port = FreePort();
        var environment = new Dictionary<string, string>(databases.Environment())
        {
            ["SS_POSTGRES"] = accounts.PostgresAnalyst!,
            // The read-only BI account, never the owner: without it the console's least-privilege claim is not tested.
            ["SS_CLICKHOUSE"] = accounts.ClickHouseBi
                ?? throw new InvalidOperationException("No SS_CLICKHOUSE_BI: the console must read ClickHouse as the read-only BI account (scripts/stack.sh up defines sentinel_bi)."),
            ["Console__Workers__0__Name"] = "the-console",
            ["Console__Workers__0__Url"] = $"http://127.0.0.1:{port}",
            ["Console__Workers__1__Name"] = "gone",
            ["Console__Workers__1__Url"] = "http://127.0.0.1:9",
        };
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            environment[$"Console__Users__{i}__Name"] = user.Name;
            // The console takes only hashes (PBKDF2), made as `stream-sentinel hash-password` makes them.
            environment[$"Console__Users__{i}__PasswordHash"] = ConsolePasswords.Hash(user.Password);
            environment[$"Console__Users__{i}__Role"] = user.Role;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var console = ChildProcess.Start("console", environment, "run", "console", "--http-port", $"{port}");
        await console.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
        return new ConsoleFixture(databases, stored, console, new Uri(Listening().Match(console.Output).Groups[1].Value), environment)
        {
            _nextSnapshotOffset = snapshotOffsets,
            _nextResult = results,
        };
    }

    /// <summary>
    /// Stores <paramref name="count"/> more alerts as the persistence fleet would while the console runs (one batch,
    /// with their cases), e.g. for the live queue to announce; returns them.
    /// </summary>
    public async Task<IReadOnlyList<PersistableResult>> StoreAlertsAsync(int seed, int count)
    {
        var generator = new SyntheticResults(seed, alertShare: 1.0, DateTimeOffset.UtcNow.AddMinutes(-5));
        var first = Interlocked.Add(ref _nextResult, count) - count;
        var stored = Enumerable.Range(first, count).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 3, i / 3), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        }).ToList();
        await new AlertWriter(Databases.Postgres).WriteAsync(stored, [], "persistence-test", "test", CancellationToken.None);
        return stored;
    }

    /// <summary>A client of this console signed in as <paramref name="name"/> (its cookie kept); fails the test if the sign-in does.</summary>
    public async Task<HttpClient> SignInAsync(string name, string password)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Address };
        var response = await http.PostAsJsonAsync("/api/session", new { name, password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return http;
    }

    /// <summary>
    /// Stores more snapshots, as the fleet would while the console runs: a test that reads "reporting now" stores its
    /// snapshots just before it looks, so that a slow machine cannot age them past the page's one-minute horizon.
    /// </summary>
    public async Task StoreSnapshotsAsync(IReadOnlyList<PerformanceSnapshot> snapshots) =>
        _nextSnapshotOffset = await StoreSnapshotsAsync(Databases, snapshots, _nextSnapshotOffset);

    private static async Task<long> StoreSnapshotsAsync(ScratchDatabases databases, IReadOnlyList<PerformanceSnapshot> snapshots, long firstOffset)
    {
        await new PerformanceWriter(databases.ClickHouse).InsertAsync(
            [.. snapshots.Select((snapshot, i) => (snapshot, new KafkaCoordinates(Topics.PerformanceMetrics, 0, firstOffset + i)))], CancellationToken.None);
        return firstOffset + snapshots.Count;
    }

    /// <summary>One worker's snapshot of ten seconds: <paramref name="messages"/> in and out in five batches, flush p99 12.5 ms.</summary>
    public static PerformanceSnapshot Snapshot(string kind, string worker, DateTimeOffset start, long messages, long? lag, long deadLettered = 0) => new()
    {
        SnapshotId = Guid.CreateVersion7(),
        WorkerId = worker,
        WorkerKind = kind,
        IntervalStart = start,
        IntervalEnd = start.AddSeconds(10),
        MessagesIn = messages,
        MessagesOut = messages,
        Batches = 5,
        BatchSizeAvg = messages / 5.0,
        BatchSizeMax = messages / 5,
        FlushLatencyMs = new LatencySummary(5, 4, 10, 12.5, 13),
        ConsumerLag = lag,
        DeadLettered = deadLettered,
    };

    public async ValueTask DisposeAsync()
    {
        Console.Terminate();
        await Console.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Console.Dispose();
        await Databases.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"metrics on (http://[^\s,]+)[ ,]")]
    private static partial Regex Listening();
}
