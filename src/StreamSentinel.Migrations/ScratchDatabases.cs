using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Migrations.Accounts;
using StreamSentinel.Migrations.Journals;

namespace StreamSentinel.Migrations;

/// <summary>
/// A PostgreSQL database and a ClickHouse database of their own, created empty on shared servers and dropped at the
/// end: what a test or a benchmark runs in so that nobody else's rows are counted.
/// </summary>
public sealed class ScratchDatabases : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _adminPostgres;
    private readonly ClickHouseClient _clickHouseClient;
    private readonly List<string> _accounts = [];

    private ScratchDatabases(string name, string adminPostgres, string postgres, string clickHouse)
    {
        _name = name;
        _adminPostgres = adminPostgres;
        PostgresConnectionString = postgres;
        ClickHouseConnectionString = clickHouse;
        Postgres = NpgsqlDataSource.Create(postgres);
        _clickHouseClient = new ClickHouseClient(clickHouse);
        ClickHouse = new ClickHouseDatabase(_clickHouseClient);
    }

    public string PostgresConnectionString { get; }

    public string ClickHouseConnectionString { get; }

    public NpgsqlDataSource Postgres { get; }

    public ClickHouseDatabase ClickHouse { get; }

    /// <param name="adminPostgres">A PostgreSQL connection string whose user may create databases.</param>
    /// <param name="adminClickHouse">A ClickHouse connection string whose user may create databases.</param>
    /// <param name="prefix">Start of the databases' name (a random suffix follows), e.g. <c>ss_test_</c>.</param>
    public static async Task<ScratchDatabases> CreateAsync(string adminPostgres, string adminClickHouse, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(adminPostgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        using (var client = new ClickHouseClient(adminClickHouse))
        {
            await new ClickHouseDatabase(client).ExecuteAsync($"CREATE DATABASE {name}", CancellationToken.None);
        }

        var postgres = new NpgsqlConnectionStringBuilder(adminPostgres) { Database = name, Pooling = true }.ConnectionString;
        var clickHouse = new ClickHouseConnectionStringBuilder(adminClickHouse) { Database = name }.ConnectionString;
        return new ScratchDatabases(name, adminPostgres, postgres, clickHouse);
    }

    /// <summary>
    /// Least-privilege accounts for these databases, as migrate makes them: a writer and an analyst login of their own
    /// (dropped with the databases) and, given the server's read-only and writer ClickHouse accounts, their strings for this database.
    /// Run after the schema scripts (their grants are what the accounts get).
    /// </summary>
    public async Task<AccountConnectionStrings> CreateAccountsAsync(string? clickHouseBi, string? clickHouseWriter = null)
    {
        string Login(string role)
        {
            _accounts.Add($"{_name}_{role}");
            return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Username = $"{_name}_{role}", Password = Guid.NewGuid().ToString("N") }.ConnectionString;
        }

        var accounts = new AccountConnectionStrings(
            Login("writer"), Login("analyst"),
            clickHouseBi is null ? null : new ClickHouseConnectionStringBuilder(clickHouseBi) { Database = _name }.ConnectionString,
            clickHouseWriter is null ? null : new ClickHouseConnectionStringBuilder(clickHouseWriter) { Database = _name }.ConnectionString);
        await new DatabaseAccounts(Postgres, ClickHouse).EnsureAsync(accounts, CancellationToken.None);
        // Membership lets the owner end these accounts' sessions, which dropping the database with FORCE must do.
        await using var connection = await Postgres.OpenConnectionAsync();
        foreach (var account in _accounts)
        {
            await using var grant = new NpgsqlCommand($"GRANT {account} TO CURRENT_USER", connection);
            await grant.ExecuteNonQueryAsync();
        }

        return accounts;
    }

    /// <summary>A migrator over these two databases, as <c>stream-sentinel migrate</c> builds it.</summary>
    public SchemaMigrator Migrator() =>
        new(new PostgresSchemaJournal(Postgres), new ClickHouseSchemaJournal(ClickHouse), NullLogger<SchemaMigrator>.Instance);

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        await using (var admin = new NpgsqlConnection(_adminPostgres))
        {
            // The server may have restarted since these databases were made (chaos's outage drill): the pool's idle
            // connections to it are dead, and the first one used would fail the drop.
            NpgsqlConnection.ClearPool(admin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 20)
                {
                    // FORCE may end only sessions of roles the owner is a member of; another backend on the database
                    // (autovacuum after a busy test, a session still starting) ends on its own within moments.
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                }
            }

            // Their privileges went with the database; roles belong to the cluster and would stay.
            foreach (var account in _accounts)
            {
                await using var dropRole = new NpgsqlCommand($"DROP ROLE IF EXISTS {account}", admin);
                await dropRole.ExecuteNonQueryAsync();
            }
        }

        await ClickHouse.ExecuteAsync($"DROP DATABASE IF EXISTS {_name}", CancellationToken.None);
        _clickHouseClient.Dispose();
    }
}
