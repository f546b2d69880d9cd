namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>Where the real servers of this test run are. Filled once by <see cref="AssemblySetUp"/>.</summary>
internal sealed record TestServers(string Postgres, string ClickHouse, string Redis, string Kafka, string Origin)
{
    private static TestServers? _current;

    public static TestServers Current
    {
        get => _current ?? throw new InvalidOperationException("AssemblySetUp has not run.");
        set => _current = value;
    }
}
