using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Cli;

/// <summary>
/// A server that does not serve a one-shot command is one line (server, address, cause, what to try) and an exit code
/// per kind, never a stack trace (issue 21). Each case is made real: a closed port, a silent listener, a wrong password,
/// a database that does not exist, a database without the schema.
/// </summary>
public sealed class ServerFailureTests
{
    private const int Unreachable = 10;
    private const int TimedOut = 11;
    private const int AuthenticationFailed = 12;
    private const int DatabaseMissing = 13;
    private const int SchemaMissing = 14;

    [Test]
    public async Task Postgres_on_a_closed_port_is_unreachable()
    {
        var port = ClosedPort();
        var result = await RunAsync("SS_POSTGRES", Postgres(b => b.Port = port), "migrate");

        AssertOneLine(result, Unreachable, $"PostgreSQL at 127.0.0.1:{port}", "connection refused", "scripts/stack.sh status");
    }

    [Test]
    public async Task Postgres_that_never_answers_times_out()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 16);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var result = await RunAsync("SS_POSTGRES", Postgres(b => (b.Port, b.Timeout) = (port, 2)), "migrate");

        AssertOneLine(result, TimedOut, $"PostgreSQL at 127.0.0.1:{port}", "no answer in time", "scripts/stack.sh status");
    }

    [Test]
    public async Task Postgres_with_a_wrong_password_names_the_user()
    {
        var result = await RunAsync("SS_POSTGRES", Postgres(b => b.Password = "not-the-password"), "migrate");

        AssertOneLine(result, AuthenticationFailed, "PostgreSQL at 127.0.0.1:", "password authentication failed for user", "SS_POSTGRES");
    }

    [Test]
    public async Task Postgres_without_the_database_says_which()
    {
        var result = await RunAsync("SS_POSTGRES", Postgres(b => b.Database = "ss_no_such_database"), "migrate");

        AssertOneLine(result, DatabaseMissing, "PostgreSQL at 127.0.0.1:", "database \"ss_no_such_database\" does not exist", "SS_POSTGRES");
    }

    [Test]
    public async Task ClickHouse_on_a_closed_port_is_unreachable()
    {
        var port = ClosedPort();
        var result = await RunAsync("SS_CLICKHOUSE", ClickHouse("Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), "performance");

        AssertOneLine(result, Unreachable, $"ClickHouse at 127.0.0.1:{port}", "connection refused", "scripts/stack.sh status");
    }

    [Test]
    public async Task ClickHouse_with_a_wrong_password_is_refused()
    {
        var result = await RunAsync("SS_CLICKHOUSE", ClickHouse("Password", "not-the-password"), "performance");

        AssertOneLine(result, AuthenticationFailed, "ClickHouse at 127.0.0.1:", "password", "SS_CLICKHOUSE");
    }

    [Test]
    public async Task ClickHouse_without_the_database_says_which()
    {
        var result = await RunAsync("SS_CLICKHOUSE", ClickHouse("Database", "ss_no_such_database"), "performance");

        AssertOneLine(result, DatabaseMissing, "ClickHouse at 127.0.0.1:", "ss_no_such_database", "SS_CLICKHOUSE");
    }

    [Test]
    public async Task Databases_without_the_schema_ask_for_migrate()
    {
        await using var databases = await IsolatedDatabases.CreateAsync();

        var verify = await Infrastructure.Cli.RunAsync(databases.Environment(), "verify");
        var performance = await Infrastructure.Cli.RunAsync(databases.Environment(), "performance");

        AssertOneLine(verify, SchemaMissing, " at 127.0.0.1:", "the schema is not migrated", "scripts/stream-sentinel migrate");
        AssertOneLine(performance, SchemaMissing, "ClickHouse at 127.0.0.1:", "doesn't exist", "scripts/stream-sentinel migrate");
    }

    [Test]
    public async Task Redis_on_a_closed_port_is_unreachable()
    {
        var port = ClosedPort();
        var result = await RunAsync("SS_REDIS", $"127.0.0.1:{port}", "describe");

        AssertOneLine(result, Unreachable, $"Redis at 127.0.0.1:{port}", "could not connect", "scripts/stack.sh status");
    }

    [Test]
    public async Task Redis_that_wants_a_password_is_an_authentication_failure()
    {
        await using var redis = await PrivateRedis.StartAsync();
        var endpoint = redis.ConnectionString.Split(',')[0];
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(endpoint + ",allowAdmin=true"))
        {
            await admin.GetServers()[0].ConfigSetAsync("requirepass", "only-the-test-knows");
        }

        var result = await RunAsync("SS_REDIS", endpoint, "describe");

        AssertOneLine(result, AuthenticationFailed, $"Redis at {endpoint}", "authentication failed", "SS_REDIS");
    }

    [Test]
    public async Task Kafka_on_a_closed_port_is_unreachable()
    {
        var port = ClosedPort();
        var result = await RunAsync("SS_KAFKA", $"127.0.0.1:{port}", "lag");

        AssertOneLine(result, Unreachable, $"Kafka at 127.0.0.1:{port}", "Broker transport failure", "scripts/stack.sh status");
    }

    [Test]
    public async Task Verbose_adds_the_stack_trace_after_the_line()
    {
        var port = ClosedPort();
        var result = await RunAsync("SS_POSTGRES", Postgres(b => b.Port = port), "migrate", "--verbose");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(Unreachable), result.ToString);
            Assert.That(result.Output, Does.StartWith($"PostgreSQL at 127.0.0.1:{port}"), result.ToString);
            Assert.That(result.Output, Does.Contain("Npgsql.NpgsqlException").And.Contain("   at "), "the trace follows with --verbose");
        }
    }

    private static Task<CliResult> RunAsync(string variable, string value, params string[] arguments)
    {
        var environment = TestServers.Current.Environment();
        environment[variable] = value;
        return Infrastructure.Cli.RunAsync(environment, arguments);
    }

    private static void AssertOneLine(CliResult result, int exitCode, params string[] parts)
    {
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.FirstOrDefault(l => l.Contains(parts[0], StringComparison.Ordinal));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString);
            Assert.That(line, Is.Not.Null, result.ToString);
            foreach (var part in parts)
            {
                Assert.That(line, Does.Contain(part), result.ToString);
            }

            Assert.That(result.Output, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "one line, not a stack trace");
        }
    }

    private static string Postgres(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestServers.Current.Postgres);
        change(builder);
        return builder.ConnectionString;
    }

    private static string ClickHouse(string key, string value)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = TestServers.Current.ClickHouse };
        builder[key] = value;
        return builder.ConnectionString;
    }

    // A port nothing listens on: the system's choice, released at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
