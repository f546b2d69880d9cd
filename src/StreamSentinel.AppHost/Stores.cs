using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamSentinel.AppHost;

/// <summary>
/// The four systems every worker needs, whichever way they run, how a worker is pointed at them, and the
/// least-privilege accounts (null where this way of running has none: workers then use the owners).
/// </summary>
internal sealed record Stores(
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> ClickHouse,
    IResourceBuilder<IResource> Kafka,
    Action<IResourceBuilder<ProjectResource>> UseKafka)
{
    /// <summary>The persistence workers' account (migrate creates it).</summary>
    public ReferenceExpression? PostgresWriter { get; init; }

    /// <summary>The console's account in PostgreSQL (migrate creates it).</summary>
    public ReferenceExpression? PostgresAnalyst { get; init; }

    /// <summary>The read-only ClickHouse account (on the local stack, stack.sh's users.xml defines it).</summary>
    public ReferenceExpression? ClickHouseBi { get; init; }

    public ReferenceExpression? ClickHouseWriter { get; init; }

    /// <summary>Debian's servers through scripts/stack.sh, and the development broker as a project of our own.</summary>
    public static Stores FromLocalStack(IDistributedApplicationBuilder builder, LocalStack stack)
    {
        var password = builder.AddParameter("postgres-password", File.ReadAllText(stack.Layout["PG_PASSWORD_FILE"]).Trim(), secret: true);
        var pgPort = stack.Port("PG_PORT").ToString(System.Globalization.CultureInfo.InvariantCulture);
        var postgres = Server(builder, stack, "postgres", ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={pgPort};Database=stream_sentinel;Username=stream_sentinel;Password={password}"))
            .WithHealthCheck(TcpCheck(builder, "postgres", stack.Port("PG_PORT")));
        // The least-privilege accounts' passwords are the stack's own (stack.sh keeps them beside its data), so that
        // this AppHost and .stack/env never reset each other's when both migrate the same cluster.
        var writerPassword = builder.AddParameter("postgres-writer-password", File.ReadAllText(stack.Layout["PG_WRITER_PASSWORD_FILE"]).Trim(), secret: true);
        var analystPassword = builder.AddParameter("postgres-analyst-password", File.ReadAllText(stack.Layout["PG_ANALYST_PASSWORD_FILE"]).Trim(), secret: true);
        var biPassword = builder.AddParameter("clickhouse-bi-password", File.ReadAllText(stack.Layout["CH_BI_PASSWORD_FILE"]).Trim(), secret: true);
        var chWriterPassword = builder.AddParameter("clickhouse-writer-password", File.ReadAllText(stack.Layout["CH_WRITER_PASSWORD_FILE"]).Trim(), secret: true);
        var redis = Server(builder, stack, "redis", ReferenceExpression.Create($"127.0.0.1:{stack.Layout["REDIS_PORT"]}"))
            .WithHealthCheck(TcpCheck(builder, "redis", stack.Port("REDIS_PORT")));
        var clickHouse = Server(builder, stack, "clickhouse", ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={stack.Layout["CH_HTTP_PORT"]};Protocol=http;Database=stream_sentinel;Username=default;Password=;JsonReadMode=None;JsonWriteMode=None"))
            .WithHttpHealthCheck("/ping", endpointName: "http");

        // The development broker listens on ports it picks; it writes them to a file the workers read (SS_KAFKA_FILE),
        // and is healthy once that file exists. A file left by an earlier run names a broker that is gone.
        var bootstrapFile = stack.Layout["KAFKA_BOOTSTRAP_FILE"].Replace("/bootstrap", "/aspire-bootstrap", StringComparison.Ordinal);
        File.Delete(bootstrapFile);
        builder.Services.AddHealthChecks().AddCheck("kafka-bootstrap", () =>
            File.Exists(bootstrapFile) && new FileInfo(bootstrapFile).Length > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("no bootstrap file yet"));
        var kafka = builder.AddProject<Projects.StreamSentinel_Cli>("kafka")
            .WithArgs("run", "broker", "--bootstrap-file", bootstrapFile)
            .WithHealthCheck("kafka-bootstrap");
        return new Stores(postgres, redis, clickHouse, kafka, worker => worker
            // An SS_KAFKA inherited from the shell (scripts/stack.sh's broker) must not win over this broker.
            .WithEnvironment("SS_KAFKA", "")
            .WithEnvironment("SS_KAFKA_FILE", bootstrapFile)
            .WaitFor(kafka))
        {
            // The fleet's accounts sign in over TLS only (stack.sh's pg_hba.conf), checking the stack's CA and name.
            PostgresWriter = ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={pgPort};Database=stream_sentinel;Username=sentinel_writer;Password={writerPassword};SSL Mode=VerifyFull;Root Certificate={stack.Layout["TLS_CA_FILE"]}"),
            PostgresAnalyst = ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={pgPort};Database=stream_sentinel;Username=sentinel_analyst;Password={analystPassword};SSL Mode=VerifyFull;Root Certificate={stack.Layout["TLS_CA_FILE"]}"),
            ClickHouseBi = ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={stack.Layout["CH_HTTP_PORT"]};Protocol=http;Database=stream_sentinel;Username=sentinel_bi;Password={biPassword};JsonReadMode=None;JsonWriteMode=None"),
            ClickHouseWriter = ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={stack.Layout["CH_HTTP_PORT"]};Protocol=http;Database=stream_sentinel;Username=sentinel_writer;Password={chWriterPassword};JsonReadMode=None;JsonWriteMode=None"),
        };
    }

    /// <summary>Official images (PostgreSQL, Redis, ClickHouse, Apache Kafka) for users with a Docker engine.</summary>
    public static Stores FromContainers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres-server", port: 55432).AddDatabase("postgres", "stream_sentinel");
        var redis = builder.AddRedis("redis", port: 56379);
        var clickHouseServer = builder.AddContainer("clickhouse-server", "clickhouse/clickhouse-server", "25.8")
            .WithHttpEndpoint(port: 58123, targetPort: 8123, name: "http")
            .WithEnvironment("CLICKHOUSE_DB", "stream_sentinel")
            .WithEnvironment("CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1")
            .WithHttpHealthCheck("/ping", endpointName: "http");
        var http = clickHouseServer.GetEndpoint("http");
        var clickHouse = builder.AddConnectionString("clickhouse", ReferenceExpression.Create(
            $"Host={http.Property(EndpointProperty.Host)};Port={http.Property(EndpointProperty.Port)};Protocol=http;Database=stream_sentinel;Username=default;Password="));
        // KRaft, one node; the advertised listener is the host port, so it is fixed rather than proxied.
        var kafka = builder.AddContainer("kafka", "apache/kafka", "4.1.0")
            .WithEndpoint(port: 9092, targetPort: 9092, name: "broker", scheme: "tcp", isProxied: false)
            .WithEnvironment("KAFKA_NODE_ID", "1")
            .WithEnvironment("KAFKA_PROCESS_ROLES", "broker,controller")
            .WithEnvironment("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
            .WithEnvironment("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092")
            .WithEnvironment("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .WithEnvironment("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
            .WithEnvironment("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .WithEnvironment("KAFKA_NUM_PARTITIONS", "12");
        return new Stores(postgres, redis, clickHouse, kafka, worker => worker
            .WithEnvironment("SS_KAFKA", "localhost:9092")
            .WithEnvironment("SS_KAFKA_FILE", "")
            .WaitFor(kafka));
    }

    private static IResourceBuilder<StackServerResource> Server(IDistributedApplicationBuilder builder, LocalStack stack, string name, ReferenceExpression connectionString)
    {
        var server = builder.AddResource(new StackServerResource(name, stack.Script, stack.Repository, connectionString))
            .WithArgs("serve", name);
        foreach (var (variable, value) in stack.Environment)
        {
            server.WithEnvironment(variable, value);
        }

        if (name == "clickhouse")
        {
            server.WithHttpEndpoint(port: stack.Port("CH_HTTP_PORT"), name: "http", isProxied: false);
        }

        return server;
    }

    private static string TcpCheck(IDistributedApplicationBuilder builder, string name, int port)
    {
        var check = $"{name}-accepts";
        builder.Services.AddHealthChecks().AddCheck(check, new TcpHealthCheck(port));
        return check;
    }
}

internal static class WorkerExtensions
{
    /// <summary>The accounts migrate makes; empty where there are none (so that the shell's, for another stack, never leak in).</summary>
    public static IResourceBuilder<ProjectResource> WithAccounts(this IResourceBuilder<ProjectResource> migrate, Stores stores)
    {
        Set(migrate, "SS_POSTGRES_WRITER", stores.PostgresWriter);
        Set(migrate, "SS_POSTGRES_ANALYST", stores.PostgresAnalyst);
        Set(migrate, "SS_CLICKHOUSE_BI", stores.ClickHouseBi);
        Set(migrate, "SS_CLICKHOUSE_WRITER", stores.ClickHouseWriter);
        return migrate;
    }

    /// <summary>Replaces a worker's store with a least-privilege account's string, where there is one.</summary>
    public static IResourceBuilder<ProjectResource> As(this IResourceBuilder<ProjectResource> worker, string variable, ReferenceExpression? account) =>
        account is null ? worker : worker.WithEnvironment(variable, account);

    private static void Set(IResourceBuilder<ProjectResource> resource, string variable, ReferenceExpression? value)
    {
        if (value is null)
        {
            resource.WithEnvironment(variable, "");
        }
        else
        {
            resource.WithEnvironment(variable, value);
        }
    }

    /// <summary>Points a worker at the stores through SS_* (which win over anything inherited from the shell).</summary>
    public static IResourceBuilder<ProjectResource> WithStores(this IResourceBuilder<ProjectResource> worker, Stores stores, bool redis)
    {
        worker
            .WithEnvironment("SS_POSTGRES", stores.Postgres)
            .WithEnvironment("SS_CLICKHOUSE", stores.ClickHouse)
            .WithEnvironment("SS_REDIS", stores.Redis);
        if (redis)
        {
            worker.WaitFor(stores.Redis);
        }

        stores.UseKafka(worker);
        return worker;
    }
}
