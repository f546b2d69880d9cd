using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Journals;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL database and a ClickHouse database of their own for one fixture or test, created empty on
/// the shared servers and dropped at the end, so tests never see each other's rows.
/// </summary>
internal sealed class IsolatedDatabases : IAsyncDisposable
{
    private readonly string _name;
    private readonly ClickHouseClient _clickHouseClient;

    private IsolatedDatabases(string name, string postgres, string clickHouse)
    {
        _name = name;
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

    public static async Task<IsolatedDatabases> CreateAsync()
    {
        var name = "ss_test_" + Guid.NewGuid().ToString("N")[..12];
        var servers = TestServers.Current;
        await using (var admin = new NpgsqlConnection(servers.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        using (var client = new ClickHouseClient(servers.ClickHouse))
        {
            await new ClickHouseDatabase(client).ExecuteAsync($"CREATE DATABASE {name}", CancellationToken.None);
        }

        var postgres = new NpgsqlConnectionStringBuilder(servers.Postgres) { Database = name, Pooling = true }.ConnectionString;
        var clickHouse = new ClickHouseConnectionStringBuilder(servers.ClickHouse) { Database = name }.ConnectionString;
        return new IsolatedDatabases(name, postgres, clickHouse);
    }

    /// <summary>A migrator over these two databases, as <c>stream-sentinel migrate</c> builds it.</summary>
    public SchemaMigrator Migrator() =>
        new(new PostgresSchemaJournal(Postgres), new ClickHouseSchemaJournal(ClickHouse), NullLogger<SchemaMigrator>.Instance);

    /// <summary>Environment for a child process (the CLI) that must use these databases.</summary>
    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["SS_POSTGRES"] = PostgresConnectionString,
        ["SS_CLICKHOUSE"] = ClickHouseConnectionString,
        ["SS_REDIS"] = TestServers.Current.Redis,
        ["SS_KAFKA"] = TestServers.Current.Kafka,
    };

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        await using (var admin = new NpgsqlConnection(TestServers.Current.Postgres))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await ClickHouse.ExecuteAsync($"DROP DATABASE IF EXISTS {_name}", CancellationToken.None);
        _clickHouseClient.Dispose();
    }
}
