using Dapper;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.IntegrationTests.Migrations;

/// <summary>The migrator against real, empty databases: one fresh pair per test.</summary>
public sealed class MigratorTests
{
    private ScratchDatabases _databases = null!;

    [SetUp]
    public async Task CreateDatabasesAsync() => _databases = await IsolatedDatabases.CreateAsync();

    [TearDown]
    public async Task DropDatabasesAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task First_run_applies_every_script_and_records_its_checksum()
    {
        var report = await _databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None);

        var postgresScripts = ScriptCatalog.For(MigrationTarget.Postgres);
        var applied = report.Outcomes.Where(o => o.Action == MigrationAction.Applied).Select(o => o.Script).ToList();
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        var journal = (await connection.QueryAsync<(string Name, string Checksum)>("SELECT name, checksum FROM schema_migrations ORDER BY version")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(applied, Is.SupersetOf(postgresScripts.Select(s => s.Name)));
            Assert.That(journal, Is.EqualTo(postgresScripts.Select(s => (s.Name, s.Checksum))));
            Assert.That(await TablesAsync(), Is.SupersetOf(new[] { "fraud_alerts", "user_accounts", "system_audit_log" }));
            Assert.That(await ClickHouseTablesAsync(), Is.SupersetOf(new[]
            {
                "transaction_records", "fraud_features", "detection_results",
                "fraud_rate_hourly", "fraud_rate_hourly_agg", "model_accuracy_hourly", "model_accuracy_hourly_agg",
            }));
        }
    }

    [Test]
    public async Task Second_run_is_a_no_op()
    {
        var first = await _databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None);
        var tablesAfterFirst = await TablesAsync();

        var second = await _databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.NothingApplied, Is.False);
            Assert.That(second.NothingApplied, Is.True);
            Assert.That(second.Outcomes.Where(o => o.Action != MigrationAction.Deferred), Is.Empty);
            Assert.That(second.AlreadyApplied[MigrationTarget.Postgres], Is.EqualTo(ScriptCatalog.For(MigrationTarget.Postgres).Count));
            Assert.That(await TablesAsync(), Is.EqualTo(tablesAfterFirst));
        }
    }

    [Test]
    public async Task Script_needing_ttl_waits_for_a_server_that_has_it()
    {
        var report = await _databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None);
        var serverVersion = await _databases.ClickHouse.GetServerVersionAsync(CancellationToken.None);

        var ttl = report.Outcomes.Single(o => o.Script == "0006_retention_ttl.sql");
        if (serverVersion < new Version(19, 6))
        {
            Assert.That(ttl.Action, Is.EqualTo(MigrationAction.Deferred));
            Assert.That(ttl.Reason, Does.Contain("needs ttl"));
        }
        else
        {
            Assert.That(ttl.Action, Is.EqualTo(MigrationAction.Applied));
        }
    }

    [Test]
    public async Task Edited_applied_script_is_refused_before_anything_runs()
    {
        var original = Scripts(("0001_first.sql", "CREATE TABLE first_table (id int);"));
        await _databases.Migrator().MigrateAsync(original, dryRun: false, CancellationToken.None);
        var edited = Scripts(
            ("0001_first.sql", "CREATE TABLE first_table (id bigint);"),
            ("0002_second.sql", "CREATE TABLE second_table (id int);"));

        var refusal = Assert.ThrowsAsync<MigrationRefusedException>(() => _databases.Migrator().MigrateAsync(edited, dryRun: false, CancellationToken.None));

        Assert.That(refusal!.Problems.Single(), Does.Contain("0001_first.sql was edited after it was applied"));
        Assert.That(await TablesAsync(), Does.Not.Contain("second_table"));
    }

    [Test]
    public async Task Script_the_build_does_not_contain_is_refused()
    {
        await _databases.Migrator().MigrateAsync(
            Scripts(("0001_first.sql", "SELECT 1;"), ("0002_second.sql", "SELECT 2;")), dryRun: false, CancellationToken.None);

        var refusal = Assert.ThrowsAsync<MigrationRefusedException>(() =>
            _databases.Migrator().MigrateAsync(Scripts(("0001_first.sql", "SELECT 1;")), dryRun: false, CancellationToken.None));

        Assert.That(refusal!.Problems.Single(), Does.Contain("0002_second.sql applied, which this build does not contain"));
    }

    [Test]
    public async Task New_script_numbered_before_an_applied_one_is_refused()
    {
        await _databases.Migrator().MigrateAsync(
            Scripts(("0001_first.sql", "SELECT 1;"), ("0003_third.sql", "SELECT 3;")), dryRun: false, CancellationToken.None);

        var refusal = Assert.ThrowsAsync<MigrationRefusedException>(() => _databases.Migrator().MigrateAsync(
            Scripts(("0001_first.sql", "SELECT 1;"), ("0002_second.sql", "SELECT 2;"), ("0003_third.sql", "SELECT 3;")),
            dryRun: false,
            CancellationToken.None));

        Assert.That(refusal!.Problems.Single(), Does.Contain("0002_second.sql is new but numbered before"));
    }

    [Test]
    public async Task Failed_script_is_not_recorded_and_runs_again_once_fixed()
    {
        var broken = Scripts(("0001_first.sql", "CREATE TABLE first_table (id int);"), ("0002_broken.sql", "CREATE TABLE broken (id no_such_type);"));
        Assert.That(
            async () => await _databases.Migrator().MigrateAsync(broken, dryRun: false, CancellationToken.None),
            Throws.InstanceOf<Npgsql.PostgresException>());

        var fixedScripts = Scripts(("0001_first.sql", "CREATE TABLE first_table (id int);"), ("0002_broken.sql", "CREATE TABLE broken (id int);"));
        var report = await _databases.Migrator().MigrateAsync(fixedScripts, dryRun: false, CancellationToken.None);

        Assert.That(report.Outcomes.Select(o => o.Script), Is.EqualTo(new[] { "0002_broken.sql" }));
        Assert.That(await TablesAsync(), Does.Contain("broken"));
    }

    [Test]
    public async Task Refusal_for_one_database_leaves_the_other_untouched()
    {
        var clickHouseScripts = ScriptCatalog.For(MigrationTarget.ClickHouse);
        await _databases.Migrator().MigrateAsync(
            new Dictionary<MigrationTarget, IReadOnlyList<MigrationScript>> { [MigrationTarget.ClickHouse] = clickHouseScripts },
            dryRun: false,
            CancellationToken.None);
        var edited = clickHouseScripts.Select((s, i) => i == 0 ? MigrationScript.Parse(s.Name, s.Sql + "\n-- edited") : s).ToList();

        Assert.ThrowsAsync<MigrationRefusedException>(() => _databases.Migrator().MigrateAsync(
            new Dictionary<MigrationTarget, IReadOnlyList<MigrationScript>>
            {
                [MigrationTarget.Postgres] = ScriptCatalog.For(MigrationTarget.Postgres),
                [MigrationTarget.ClickHouse] = edited,
            },
            dryRun: false,
            CancellationToken.None));

        Assert.That(await TablesAsync(), Does.Not.Contain("fraud_alerts"), "PostgreSQL was planned, refused with ClickHouse, and not changed");
    }

    [Test]
    public async Task Concurrent_migrators_apply_each_script_exactly_once()
    {
        var reports = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None)));

        var appliedPerScript = reports.SelectMany(r => r.Outcomes).Where(o => o.Action == MigrationAction.Applied)
            .GroupBy(o => (o.Target, o.Script)).Select(g => g.Count()).ToList();
        var clickHouseJournal = await _databases.ClickHouse.QueryTsvAsync("SELECT count(), uniqExact(version) FROM schema_migrations", CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(appliedPerScript, Is.Not.Empty.And.All.EqualTo(1));
            Assert.That(clickHouseJournal[0][0], Is.EqualTo(clickHouseJournal[0][1]), "one ClickHouse journal row per script");
        }
    }

    [Test]
    public async Task Dry_run_applies_no_script()
    {
        var report = await _databases.Migrator().MigrateAsync(dryRun: true, CancellationToken.None);

        Assert.That(report.Outcomes.Where(o => o.Action == MigrationAction.WouldApply).Select(o => o.Script), Does.Contain("0001_fraud_alerts.sql"));
        Assert.That(await TablesAsync(), Is.EqualTo(new[] { "schema_migrations" }));
    }

    private static Dictionary<MigrationTarget, IReadOnlyList<MigrationScript>> Scripts(params (string Name, string Sql)[] postgres) =>
        new() { [MigrationTarget.Postgres] = [.. postgres.Select(s => MigrationScript.Parse(s.Name, s.Sql))] };

    private async Task<List<string>> TablesAsync()
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")];
    }

    private async Task<List<string>> ClickHouseTablesAsync() =>
        [.. (await _databases.ClickHouse.QueryTsvAsync("SELECT name FROM system.tables WHERE database = currentDatabase()", CancellationToken.None)).Select(r => r[0])];
}
