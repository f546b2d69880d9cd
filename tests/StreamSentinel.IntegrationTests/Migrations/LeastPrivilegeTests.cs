using Dapper;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Accounts;
using StreamSentinel.PostgreSql.Persistence;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Migrations;

/// <summary>
/// The accounts migrate makes: the writer does what the persistence fleet does and nothing else, the analyst reads
/// and moves alerts along the workflow and nothing else, the BI account reads ClickHouse and cannot write it.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private const string InsufficientPrivilege = "42501";

    private ScratchDatabases _databases = null!;
    private AccountConnectionStrings _accounts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
        _accounts = await _databases.CreateAccountsAsync(TestServers.Current.ClickHouseBi);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task Migrate_makes_the_accounts_of_the_connection_strings_and_a_second_run_changes_nothing()
    {
        var environment = new Dictionary<string, string>(_databases.Environment())
        {
            ["SS_POSTGRES_WRITER"] = _accounts.PostgresWriter!,
            ["SS_POSTGRES_ANALYST"] = _accounts.PostgresAnalyst!,
        };
        var first = await Infrastructure.Cli.RunAsync(environment, "migrate");
        var second = await Infrastructure.Cli.RunAsync(environment, "migrate");
        var analyst = environment["SS_POSTGRES_ANALYST"];
        environment["SS_POSTGRES_ANALYST"] = _accounts.PostgresWriter!;
        var same = await Infrastructure.Cli.RunAsync(environment, "migrate");
        environment["SS_POSTGRES_ANALYST"] = analyst;
        environment["SS_POSTGRES_WRITER"] = _databases.PostgresConnectionString;
        var owner = await Infrastructure.Cli.RunAsync(environment, "migrate");
        environment["SS_POSTGRES_WRITER"] = _accounts.PostgresWriter!;
        environment["SS_CLICKHOUSE_BI"] = _databases.ClickHouseConnectionString;
        var writingBi = await Infrastructure.Cli.RunAsync(environment, "migrate");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.ExitCode, Is.Zero, first.ToString);
            Assert.That(first.Output, Does.Match(@"_writer\s+ss_test_\w+\s+stream_sentinel_writer\s+ready \(signed in\)"));
            Assert.That(first.Output, Does.Match(@"_analyst\s+ss_test_\w+\s+stream_sentinel_analyst\s+ready \(signed in\)"));
            Assert.That(second.ExitCode, Is.Zero, second.ToString);
            Assert.That(second.Output, Does.Contain("Schema is up to date; nothing was changed."));
            Assert.That(owner.ExitCode, Is.EqualTo(3), "the owner is no least-privilege account");
            Assert.That(owner.Output, Does.Contain("names the schema's owner"));
            Assert.That(same.ExitCode, Is.EqualTo(3), "one login for both roles");
            Assert.That(same.Output, Does.Contain("name the same account"));
            Assert.That(writingBi.ExitCode, Is.EqualTo(3), "a BI account that can write");
            Assert.That(writingBi.Output, Does.Contain("it must be read-only").Or.Contain("names the owner"));
        }
    }

    [Test]
    public async Task Every_table_but_the_journal_is_granted_to_a_least_privilege_role()
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).ToList();
        var granted = (await connection.QueryAsync<string>(
            "SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE table_schema = 'public' "
            + "AND grantee IN ('stream_sentinel_writer', 'stream_sentinel_analyst') ORDER BY 1")).ToList();

        Assert.That(granted, Is.EqualTo(tables.Where(t => t != "schema_migrations")), "a new table needs its grants in the script that adds it");
    }

    [Test]
    public async Task The_writer_stores_what_the_fleet_stores_and_can_neither_delete_nor_change_the_schema()
    {
        var results = Results(seed: 61, count: 60);
        await using var writer = NpgsqlDataSource.Create(_accounts.PostgresWriter!);
        var spans = PartitionSpan.Of(results);
        var stored = await new AlertWriter(writer).WriteAsync(results, spans, "test-group", "writer-test", CancellationToken.None);
        // Written twice, as after a crash before the commit: stored once, through the same upserts.
        var again = await new AlertWriter(writer).WriteAsync(results, spans, "test-group", "writer-test", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Is.EqualTo(results.Count(r => r.IsAlert)));
            Assert.That(again, Is.Zero);
            Assert.That(await RefusedAsync(writer, "DELETE FROM fraud_alerts"), Is.True, "delete alerts");
            Assert.That(await RefusedAsync(writer, "UPDATE fraud_alerts SET status = 'RESOLVED'"), Is.True, "change an analyst's decision");
            Assert.That(await RefusedAsync(writer, "UPDATE system_audit_log SET actor = 'someone else'"), Is.True, "rewrite the audit trail");
            Assert.That(await RefusedAsync(writer, "DROP TABLE user_accounts"), Is.True, "drop a table");
            Assert.That(await RefusedAsync(writer, "CREATE TABLE writer_was_here (x int)"), Is.True, "create a table");
        }
    }

    [Test]
    public async Task The_analyst_works_alerts_and_cannot_change_what_detection_wrote()
    {
        var results = Results(seed: 62, count: 40);
        await new AlertWriter(_databases.Postgres).WriteAsync(results, [], "test-group", "owner", CancellationToken.None);
        var transaction = results.First(r => r.IsAlert).Result.TransactionId;
        await using var analyst = NpgsqlDataSource.Create(_accounts.PostgresAnalyst!);
        await using var connection = await analyst.OpenConnectionAsync();
        var moved = await connection.ExecuteAsync(
            "UPDATE fraud_alerts SET status = 'INVESTIGATING', assignee = 'ana' WHERE transaction_id = @transaction", new { transaction });
        await connection.ExecuteAsync(
            "INSERT INTO system_audit_log (occurred_at, actor, action, entity_type, entity_id, details) VALUES (now(), 'analyst/ana', 'alert.status_changed', 'fraud_alert', 'x', '{}')");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(moved, Is.EqualTo(1));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM user_accounts"), Is.Positive);
            Assert.That(await RefusedAsync(analyst, "UPDATE fraud_alerts SET fraud_score = 0"), Is.True, "rewrite a score");
            Assert.That(await RefusedAsync(analyst, "DELETE FROM system_audit_log"), Is.True, "erase the audit trail");
            Assert.That(await RefusedAsync(analyst, "UPDATE user_accounts SET risk_level = 'LOW'"), Is.True, "change an account");
            Assert.That(await RefusedAsync(analyst, "INSERT INTO persistence_progress (consumer_group, topic, kafka_partition, first_offset, last_offset, min_event_time, max_event_time, worker, updated_at) VALUES ('g', 't', 0, 0, 0, now(), now(), 'w', now())"), Is.True, "touch the fleet's progress");
        }
    }

    [Test]
    public async Task The_bi_account_reads_clickhouse_and_cannot_write_it()
    {
        // A missing account is a failure, not a skip: the claim under test is that the account exists and can only read.
        Assert.That(_accounts.ClickHouseBi, Is.Not.Null, "No SS_CLICKHOUSE_BI: this server has no read-only account (scripts/stack.sh up defines sentinel_bi).");

        using var client = new global::ClickHouse.Driver.ClickHouseClient(_accounts.ClickHouseBi!);
        var bi = new ClickHouseDatabase(client);
        var tables = await bi.QueryTsvAsync("SELECT count() FROM system.tables WHERE database = currentDatabase()", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(int.Parse(tables[0][0], System.Globalization.CultureInfo.InvariantCulture), Is.Positive, "reads its database");
            Assert.That(() => bi.ExecuteAsync("INSERT INTO alert_verdicts (event_id) VALUES ('x')", CancellationToken.None), Throws.Exception.With.Message.Match("readonly|Not enough privileges"));
            Assert.That(() => bi.ExecuteAsync("DROP TABLE detection_results", CancellationToken.None), Throws.Exception.With.Message.Match("readonly|Not enough privileges"));
        }
    }

    private static List<PersistableResult> Results(int seed, int count)
    {
        var generator = new SyntheticResults(seed, alertShare: 0.5, DateTimeOffset.UtcNow.AddHours(-1));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, 0, i), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        })];
    }

    private static async Task<bool> RefusedAsync(NpgsqlDataSource account, string sql)
    {
        await using var connection = await account.OpenConnectionAsync();
        try
        {
            await connection.ExecuteAsync(sql);
            return false;
        }
        catch (PostgresException e) when (e.SqlState == InsufficientPrivilege)
        {
            return true;
        }
    }
}
