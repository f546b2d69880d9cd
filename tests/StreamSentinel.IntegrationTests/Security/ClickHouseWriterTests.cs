using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Accounts;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Issue 18, item 7: persistence workers write ClickHouse as an account of their own (SS_CLICKHOUSE_WRITER), which
/// inserts and reads back what exactly-once recovery needs and cannot drop or alter a table. What 18.16 cannot
/// enforce is pinned here too, so that the README's claims are checked either way.
/// </summary>
public sealed class ClickHouseWriterTests
{
    private ScratchDatabases _databases = null!;
    private AccountConnectionStrings _accounts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
        Assert.That(TestServers.Current.ClickHouseWriter, Is.Not.Null, "No SS_CLICKHOUSE_WRITER: scripts/stack.sh up defines sentinel_writer.");
        _accounts = await _databases.CreateAccountsAsync(TestServers.Current.ClickHouseBi, TestServers.Current.ClickHouseWriter);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task The_writer_inserts_exactly_once_but_cannot_drop_alter_or_truncate()
    {
        using var client = new ClickHouseClient(_accounts.ClickHouseWriter!);
        var writer = new ClickHouseDatabase(client);
        var now = DateTimeOffset.UtcNow;
        var snapshots = Enumerable.Range(0, 3)
            .Select(i => (ConsoleFixture.Snapshot(WorkerKinds.Detection, "writer-test", now.AddSeconds(i * 10), 100, lag: 1), new KafkaCoordinates(Topics.PerformanceMetrics, 0, i)))
            .ToList();

        // Twice, as after a crash between the insert and the offset commit: recovery reads what is there and skips it.
        var performance = new PerformanceWriter(writer);
        await performance.InsertAsync(snapshots, CancellationToken.None);
        var stored = await performance.StoredAsync([.. snapshots.Select(s => s.Item1)], CancellationToken.None);
        await performance.InsertAsync([.. snapshots.Where(s => !stored.Contains(s.Item1.SnapshotId))], CancellationToken.None);
        var refusals = new List<string>();
        foreach (var statement in new[] { "DROP TABLE performance_metrics", "ALTER TABLE performance_metrics DELETE WHERE 1", "TRUNCATE TABLE performance_metrics", "CREATE TABLE planted (x UInt8) ENGINE = Memory" })
        {
            refusals.Add(await RefusalAsync(writer, statement) ?? $"NOT REFUSED: {statement}");
        }

        var rows = await _databases.ClickHouse.QueryTsvAsync("SELECT count() FROM performance_metrics", CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Has.Count.EqualTo(3), "the writer reads back what it stored");
            Assert.That(rows[0][0], Is.EqualTo("3"), "inserted once, skipped on the second try");
            Assert.That(refusals, Has.None.StartsWith("NOT REFUSED"));
            Assert.That(refusals, Has.All.Match("DDL queries are prohibited|Not enough privileges|ACCESS_DENIED"));
        }
    }

    [Test]
    public async Task What_the_server_cannot_restrict_for_the_writer_is_known()
    {
        using var client = new ClickHouseClient(_accounts.ClickHouseWriter!);
        var writer = new ClickHouseDatabase(client);
        var sqlAccounts = (await _databases.ClickHouse.QueryTsvAsync("SELECT count() FROM system.tables WHERE database = 'system' AND name = 'users'", CancellationToken.None))[0][0] != "0";
        var other = $"default.writer_probe_{Guid.NewGuid():N}";
        await _databases.ClickHouse.ExecuteAsync($"CREATE TABLE {other} (x UInt8) ENGINE = Memory", CancellationToken.None);
        string? otherDatabase;
        try
        {
            otherDatabase = await RefusalAsync(writer, $"INSERT INTO {other} SELECT count() FROM {other}");
        }
        finally
        {
            await _databases.ClickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {other}", CancellationToken.None);
        }

        if (sqlAccounts)
        {
            // Current servers: grants of INSERT and SELECT on this one database.
            Assert.That(otherDatabase, Does.Match("Not enough privileges|ACCESS_DENIED"));
            return;
        }

        // ClickHouse 18.16: users.xml cannot confine the account to some tables or (with a database per test) to one
        // database, and allow_ddl = 0 refuses SET allow_ddl = 1 but not the same setting sent as an HTTP parameter.
        var set = await RefusalAsync(writer, "SET allow_ddl = 1");
        var bypass = await RefusalWithSettingAsync(client, "CREATE TABLE bypass_probe (x UInt8) ENGINE = Memory");
        await _databases.ClickHouse.ExecuteAsync("DROP TABLE IF EXISTS bypass_probe", CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(otherDatabase, Is.Null, "18.16 lets the writer read and insert into other databases");
            Assert.That(set, Does.Contain("Cannot modify 'allow_ddl'"));
            Assert.That(bypass, Is.Null, "18.16: a client sending allow_ddl=1 with the query lifts the guard; README says so");
        }
    }

    private static async Task<string?> RefusalAsync(ClickHouseDatabase database, string statement)
    {
        try
        {
            await database.ExecuteAsync(statement, CancellationToken.None);
            return null;
        }
        catch (ClickHouseServerException e)
        {
            return e.Message;
        }
    }

    private static async Task<string?> RefusalWithSettingAsync(ClickHouseClient client, string statement)
    {
        try
        {
            await client.ExecuteNonQueryAsync(
                statement, null!, new QueryOptions { CustomSettings = new Dictionary<string, object>(StringComparer.Ordinal) { ["allow_ddl"] = 1, ["default_format"] = "TabSeparated" } },
                CancellationToken.None);
            return null;
        }
        catch (ClickHouseServerException e)
        {
            return e.Message;
        }
    }
}
