using Confluent.Kafka;
using Confluent.Kafka.Admin;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using StreamSentinel.Hosting.Configuration;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using Testcontainers.Kafka;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]

namespace StreamSentinel.IntegrationTests;

/// <summary>
/// Finds the real servers the tests run against: the SS_* variables (set by scripts/stack.sh or docker-compose);
/// without them, containers when a Docker engine answers; otherwise the run fails and says how to start a stack.
/// A missing server is a failure, never a skip.
/// </summary>
[SetUpFixture]
public sealed class AssemblySetUp
{
    private readonly List<IContainer> _containers = [];

    [OneTimeSetUp]
    public async Task FindServersAsync()
    {
        var variables = StackEnvironment.Servers.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        var missing = variables.Where(v => string.IsNullOrWhiteSpace(v.Value)).Select(v => v.Key).ToList();
        if (missing.Count == 0)
        {
            TestServers.Current = new TestServers(
                variables[StackEnvironment.Postgres]!,
                variables[StackEnvironment.ClickHouse]!,
                variables[StackEnvironment.Redis]!,
                variables[StackEnvironment.Kafka]!,
                "SS_* environment variables");
            return;
        }

        if (!DockerEngineAnswers())
        {
            Assert.Fail(
                $"No test servers: {string.Join(", ", missing)} not set and no Docker engine answers. "
                + "Run `scripts/stack.sh up` and then `set -a; . .stack/env; set +a` (scripts/test.sh does both), "
                + "or start Docker so that Testcontainers can run the servers.");
        }

        TestServers.Current = await StartContainersAsync();
    }

    [OneTimeTearDown]
    public async Task StopContainersAsync()
    {
        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>The pipeline's topics with the partitions the development broker gives them (a real Kafka has none yet).</summary>
    private static async Task CreateTopicsAsync(string bootstrapServers)
    {
        var defaults = new DevelopmentBrokerOptions();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync(Topics.All.Select(topic => new TopicSpecification
        {
            Name = topic,
            NumPartitions = topic is Topics.Transactions or Topics.DetectionResults ? defaults.PipelinePartitions : defaults.AuxiliaryPartitions,
            ReplicationFactor = 1,
        }));
    }

    private static bool DockerEngineAnswers()
    {
        // The docker client exists on machines without an engine; only an answer from the engine counts.
        try
        {
            using var docker = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null || !docker.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                return false;
            }

            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private async Task<TestServers> StartContainersAsync()
    {
        const string clickHousePassword = "stream-sentinel-test";
        var postgres = new PostgreSqlBuilder("postgres:17").WithDatabase("stream_sentinel").WithUsername("stream_sentinel").Build();
        var redis = new RedisBuilder("redis:7").Build();
        var kafka = new KafkaBuilder("apache/kafka:4.1.0").Build();
        var clickHouse = new ContainerBuilder("clickhouse/clickhouse-server:25.8")
            .WithEnvironment("CLICKHOUSE_DB", "stream_sentinel")
            .WithEnvironment("CLICKHOUSE_PASSWORD", clickHousePassword)
            .WithEnvironment("CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1")
            .WithPortBinding(8123, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request.ForPort(8123).ForPath("/ping")))
            .Build();
        _containers.AddRange([postgres, redis, kafka, clickHouse]);
        await Task.WhenAll(_containers.Select(c => c.StartAsync()));
        await CreateTopicsAsync(kafka.GetBootstrapAddress());
        return new TestServers(
            postgres.GetConnectionString(),
            $"Host={clickHouse.Hostname};Port={clickHouse.GetMappedPublicPort(8123)};Protocol=http;Database=stream_sentinel;Username=default;Password={clickHousePassword}",
            redis.GetConnectionString(),
            kafka.GetBootstrapAddress(),
            "Testcontainers");
    }
}
