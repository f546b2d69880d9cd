namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>Where the real servers of this test run are. Filled once by the test assembly's set-up fixture.</summary>
internal sealed record TestServers(string Postgres, string ClickHouse, string Redis, string Kafka, string Origin)
{
    /// <summary>
    /// The server's read-only ClickHouse account (<c>SS_CLICKHOUSE_BI</c>), if it has one: on ClickHouse 18.16 it can
    /// only come from the server's users.xml, so tests cannot make one of their own.
    /// </summary>
    public string? ClickHouseBi { get; init; } = System.Environment.GetEnvironmentVariable("SS_CLICKHOUSE_BI") is { Length: > 0 } bi ? bi : null;

    /// <summary>The server's ClickHouse writer account (<c>SS_CLICKHOUSE_WRITER</c>), as persistence workers use it; on 18.16 from users.xml.</summary>
    public string? ClickHouseWriter { get; init; } = System.Environment.GetEnvironmentVariable("SS_CLICKHOUSE_WRITER") is { Length: > 0 } writer ? writer : null;

    private static TestServers? _current;

    public static TestServers Current
    {
        get => _current ?? throw new InvalidOperationException("AssemblySetUp has not run.");
        set => _current = value;
    }

    /// <summary>The <c>SS_*</c> variables of these servers, for a <c>stream-sentinel</c> child process.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["SS_POSTGRES"] = Postgres,
        ["SS_CLICKHOUSE"] = ClickHouse,
        ["SS_REDIS"] = Redis,
        ["SS_KAFKA"] = Kafka,
    };
}
