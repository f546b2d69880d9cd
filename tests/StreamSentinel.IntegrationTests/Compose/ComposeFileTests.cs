using System.Diagnostics;
using System.Text.RegularExpressions;
using StreamSentinel.Hosting.Configuration;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using YamlDotNet.RepresentationModel;

namespace StreamSentinel.IntegrationTests.Compose;

/// <summary>
/// docker-compose.yml cannot run here (no Docker engine), so it is validated, and checked to agree with the code
/// and with the local stack on topics, partitions, variables and ports.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string ComposeFile = RepositoryRoot.Combine("docker-compose.yml");

    private YamlMappingNode _root = null!;

    [OneTimeSetUp]
    public void Parse()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(ComposeFile);
        yaml.Load(reader);
        _root = (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    // The secrets compose refuses to start without (${VAR:?}): no default password or key ever reaches a service.
    private static readonly string[] RequiredSecrets =
    [
        "SS_CONSOLE_ANALYST_PASSWORD_HASH", "SS_CONSOLE_VIEWER_PASSWORD_HASH", "SS_AUDIT_SIGNING_KEY", "SS_POSTGRES_PASSWORD", "SS_CLICKHOUSE_PASSWORD",
        "SS_WRITER_PASSWORD", "SS_ANALYST_PASSWORD", "SS_BI_PASSWORD", "SS_CLICKHOUSE_WRITER_PASSWORD", "SS_GATEWAY_TOKEN", "SS_GRAFANA_PASSWORD",
    ];

    [Test]
    public async Task Compose_validates_the_file()
    {
        var (exitCode, errors) = await ComposeConfigAsync(RequiredSecrets.ToDictionary(name => name, name => $"test-value-of-{name}-0123456789abcdef"));
        Assert.That(exitCode, Is.Zero, errors);
    }

    [Test]
    public async Task Compose_refuses_to_start_without_each_secret()
    {
        foreach (var missing in RequiredSecrets)
        {
            var set = RequiredSecrets.Where(name => name != missing).ToDictionary(name => name, name => $"test-value-of-{name}-0123456789abcdef");
            var (exitCode, errors) = await ComposeConfigAsync(set, unset: missing);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(exitCode, Is.Not.Zero, missing);
                Assert.That(errors, Does.Contain(missing), missing);
            }
        }
    }

    private static async Task<(int ExitCode, string Errors)> ComposeConfigAsync(Dictionary<string, string> variables, string? unset = null)
    {
        // Debian's docker-compose (installed by scripts/stack.sh up) validates without an engine.
        var info = new ProcessStartInfo("docker-compose", ["-f", ComposeFile, "--profile", "workers", "config", "--quiet"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var (name, value) in variables)
        {
            info.Environment[name] = value;
        }

        if (unset is not null)
        {
            info.Environment.Remove(unset);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"docker-compose is not installed ({e.Message}); `scripts/stack.sh up` installs it.");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await output;
            await process.WaitForExitAsync();
            return (process.ExitCode, errors);
        }
    }

    [Test]
    public void Every_topic_is_created_with_the_partitions_the_development_broker_uses()
    {
        var script = Scalar(Service("kafka-init")["command"]);
        var defaults = new DevelopmentBrokerOptions();

        var created = TopicPattern().Matches(script).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(created, Is.EqualTo(Topics.All.ToDictionary(
            topic => topic,
            topic => topic is Topics.Transactions or Topics.DetectionResults ? defaults.PipelinePartitions : defaults.AuxiliaryPartitions)));
    }

    [Test]
    public void Each_service_gets_only_the_secrets_it_uses()
    {
        var shared = (YamlMappingNode)_root["x-kafka-env"];
        string[] Keys(string service) => [.. ((YamlMappingNode)Service(service)["environment"]).Children.Keys.Select(Scalar).Where(key => key != "<<")];
        string Value(string service, string key) => Scalar(((YamlMappingNode)Service(service)["environment"])[key]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shared.Children.Keys.Select(Scalar), Is.EquivalentTo(new[] { StackEnvironment.Kafka, "Http__Host" }), "the one shared block holds no secret");
            Assert.That(Keys("gateway"), Is.EquivalentTo(new[] { "Gateway__Tokens__0" }), "the internet-facing gateway: its token, no database");
            Assert.That(Keys("detection"), Is.EquivalentTo(new[] { StackEnvironment.Redis }), "detection: Redis only");
            Assert.That(
                Keys("persistence"),
                Is.EquivalentTo(new[] { StackEnvironment.Postgres, StackEnvironment.ClickHouse, StackEnvironment.AuditSigningKeyId, StackEnvironment.AuditSigningKey }));
            Assert.That(Value("persistence", StackEnvironment.Postgres), Does.Contain("Username=sentinel_writer"));
            Assert.That(Value("persistence", StackEnvironment.ClickHouse), Does.Contain("Username=sentinel_writer"), "ClickHouse's writer, not default");
            Assert.That(Value("console", StackEnvironment.Postgres), Does.Contain("Username=sentinel_analyst"));
            Assert.That(Value("console", StackEnvironment.ClickHouse), Does.Contain("Username=sentinel_bi"));
            foreach (var service in new[] { "gateway", "detection", "persistence", "console" })
            {
                Assert.That(((YamlMappingNode)Service(service)["environment"])["<<"], Is.SameAs(shared), service);
            }
        }
    }

    [Test]
    public void No_secret_has_a_default_value()
    {
        var text = File.ReadAllText(ComposeFile);
        Assert.That(Regex.Matches(text, @"\$\{(\w+):-").Select(m => m.Groups[1].Value), Is.EquivalentTo(new[] { "SS_AUDIT_SIGNING_KEY_ID" }), "a key id names a key; it is no secret");
    }

    [Test]
    public void Migrator_and_workers_run_commands_the_cli_has()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Command("migrate"), Is.EqualTo(new[] { "migrate" }));
            Assert.That(Command("detection").Take(2), Is.EqualTo(new[] { "run", "detection" }));
            Assert.That(Command("persistence").Take(2), Is.EqualTo(new[] { "run", "persistence" }));
        }
    }

    [Test]
    public void Prometheus_scrapes_every_worker_on_the_port_it_listens_on()
    {
        var scrape = File.ReadAllText(RepositoryRoot.Combine("docker", "prometheus", "prometheus.yml"));

        using (Assert.EnterMultipleScope())
        {
            foreach (var worker in new[] { "detection", "gateway", "persistence" })
            {
                var command = Command(worker);
                Assert.That(command[Array.IndexOf(command, "--http-port") + 1], Is.EqualTo("8080"), worker);
                Assert.That(scrape, Does.Contain($"job_name: {worker}"), worker);
            }

            Assert.That(scrape, Does.Contain("\"detection:8080\"").And.Contain("\"gateway:8080\"").And.Contain("names: [\"persistence\"]"));
        }
    }

    [Test]
    public void Every_metric_the_grafana_dashboard_queries_is_one_the_workers_export()
    {
        var dashboard = File.ReadAllText(RepositoryRoot.Combine("docker", "grafana", "dashboards", "stream-sentinel.json"));
        // Instrument names in the code (stream_sentinel.*, messaging.*, db.client.*), as Prometheus spells them.
        var exported = Directory.EnumerateFiles(RepositoryRoot.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => InstrumentName().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value.Replace('.', '_')))
            .ToHashSet();
        var queried = PromMetric().Matches(dashboard).Select(m => m.Value).Distinct().ToList();

        Assert.That(queried, Has.Count.GreaterThan(10));
        Assert.That(
            queried.Where(metric => !exported.Contains(Regex.Replace(metric, "(_seconds)?(_total|_bucket|_count|_sum)?$", ""))),
            Is.Empty,
            "metrics no worker exports");
    }

    [GeneratedRegex("\"((?:stream_sentinel|messaging|db\\.client)\\.[a-z_.]+)\"")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("\\b(?:stream_sentinel|messaging|db_client)_[a-z_]+")]
    private static partial Regex PromMetric();

    [TestCase("postgres", "PG_PORT")]
    [TestCase("redis", "REDIS_PORT")]
    [TestCase("clickhouse", "CH_HTTP_PORT")]
    public void Host_ports_match_the_local_stack(string service, string stackVariable)
    {
        // What the local stack listens on, as stack.sh itself says (its default stack: no directory or offset given).
        var layout = new System.Diagnostics.ProcessStartInfo(RepositoryRoot.Combine("scripts", "stack.sh"), ["layout"]) { RedirectStandardOutput = true };
        layout.Environment.Remove("SS_STACK_DIR");
        layout.Environment.Remove("SS_STACK_PORT_OFFSET");
        using var process = System.Diagnostics.Process.Start(layout)!;
        var lines = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var stackPort = Regex.Match(lines, $"^{stackVariable}=(\\d+)$", RegexOptions.Multiline).Groups[1].Value;

        var published = ((YamlSequenceNode)Service(service)["ports"]).Children.Select(Scalar).Single();

        Assert.That(stackPort, Is.Not.Empty, $"scripts/stack.sh defines {stackVariable}");
        Assert.That(published, Does.StartWith($"127.0.0.1:{stackPort}:"));
    }

    private YamlMappingNode Service(string name) => (YamlMappingNode)((YamlMappingNode)_root["services"])[name];

    private string[] Command(string service) => [.. ((YamlSequenceNode)Service(service)["command"]).Children.Select(Scalar)];

    private static string Scalar(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode sequence => string.Join('\n', sequence.Children.Select(Scalar)),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType} at {node.Start}."),
    };

    [GeneratedRegex(@"--topic (\S+) --partitions (\d+)")]
    private static partial Regex TopicPattern();
}
