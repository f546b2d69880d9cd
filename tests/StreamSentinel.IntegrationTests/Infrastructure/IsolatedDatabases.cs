using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>Scratch databases on this run's servers, for one fixture or test.</summary>
internal static class IsolatedDatabases
{
    public static Task<ScratchDatabases> CreateAsync() =>
        ScratchDatabases.CreateAsync(TestServers.Current.Postgres, TestServers.Current.ClickHouse, "ss_test_");

    /// <summary>Scratch databases with every shipped script applied.</summary>
    public static async Task<ScratchDatabases> CreateMigratedAsync()
    {
        var databases = await CreateAsync();
        await databases.Migrator().MigrateAsync(dryRun: false, CancellationToken.None);
        return databases;
    }

    /// <summary>Environment for a child process (the CLI) that must use these databases.</summary>
    public static IReadOnlyDictionary<string, string> Environment(this ScratchDatabases databases) => new Dictionary<string, string>
    {
        ["SS_POSTGRES"] = databases.PostgresConnectionString,
        ["SS_CLICKHOUSE"] = databases.ClickHouseConnectionString,
        ["SS_REDIS"] = TestServers.Current.Redis,
        ["SS_KAFKA"] = TestServers.Current.Kafka,
    };
}
