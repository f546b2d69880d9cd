using System.Diagnostics;
using Dapper;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Cli;

/// <summary>The product through its one entry point, scripts/stream-sentinel, as scripts and users run it.</summary>
public sealed class CommandLineTests
{
    [Test]
    public async Task Help_lists_every_command()
    {
        var root = await Infrastructure.Cli.RunAsync(null, "--help");
        var run = await Infrastructure.Cli.RunAsync(null, "run", "--help");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.ExitCode, Is.Zero, root.ToString);
            Assert.That(run.ExitCode, Is.Zero, run.ToString);
            // Command rows of the help: two spaces, the name, then its description.
            foreach (var command in new[] { "migrate", "describe", "retention", "run", "simulate", "train", "evaluate" })
            {
                Assert.That(root.Output, Does.Match($@"(?m)^  {command}\s{{2,}}\S"), command);
            }

            Assert.That(run.Output, Does.Match(@"(?m)^  broker\s{2,}\S"));
            Assert.That(run.Output, Does.Match(@"(?m)^  detection\s{2,}\S"));
            Assert.That(run.Output, Does.Match(@"(?m)^  gateway\s{2,}\S"));
        }
    }

    [TestCase("migrate")]
    [TestCase("describe")]
    [TestCase("retention")]
    [TestCase("run", "broker")]
    [TestCase("run", "detection")]
    [TestCase("run", "gateway")]
    [TestCase("simulate")]
    [TestCase("train")]
    [TestCase("evaluate")]
    public async Task Every_command_has_help(params string[] command)
    {
        var result = await Infrastructure.Cli.RunAsync(null, [.. command, "--help"]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString);
        Assert.That(result.Output, Does.Contain("Usage:").And.Contain($"stream-sentinel {string.Join(' ', command)}"));
    }

    [Test]
    public async Task Migrate_twice_then_describe_shows_both_databases()
    {
        await using var databases = await IsolatedDatabases.CreateAsync();

        var first = await Infrastructure.Cli.RunAsync(databases.Environment(), "migrate");
        var second = await Infrastructure.Cli.RunAsync(databases.Environment(), "migrate");
        var describe = await Infrastructure.Cli.RunAsync(databases.Environment(), "describe");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.ExitCode, Is.Zero, first.ToString);
            Assert.That(first.Output, Does.Contain("0001_fraud_alerts.sql").And.Contain("applied"));
            Assert.That(second.ExitCode, Is.Zero, second.ToString);
            Assert.That(second.Output, Does.Contain("Schema is up to date; nothing was changed."));
            Assert.That(describe.ExitCode, Is.Zero, describe.ToString);
            Assert.That(describe.Output, Does.Contain("fraud_alerts").And.Contain("system_audit_log").And.Contain("detection_results").And.Contain("MaterializedView"));
            Assert.That(describe.Output, Does.Contain("fraud-detection-results").And.Contain("Redis 7."));
        }
    }

    [Test]
    public async Task Migrate_refuses_when_an_applied_script_differs_from_the_build()
    {
        await using var databases = await IsolatedDatabases.CreateMigratedAsync();
        await using (var connection = await databases.Postgres.OpenConnectionAsync())
        {
            // As if the file had been edited after this database applied it.
            await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 2");
        }

        var result = await Infrastructure.Cli.RunAsync(databases.Environment(), "migrate");

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString);
        Assert.That(result.Output, Does.Contain("0002_user_accounts.sql was edited after it was applied"));
    }

    [Test]
    public async Task Missing_configuration_fails_with_the_variable_to_set()
    {
        // SS_KAFKA set alone keeps the wrapper from reading .stack/env.
        var result = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string> { ["SS_KAFKA"] = "127.0.0.1:9", ["SS_POSTGRES"] = "", ["SS_CLICKHOUSE"] = "" }, "migrate");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
        Assert.That(result.Output, Does.Contain("Configuration is invalid: ConnectionStrings:Postgres is not set. Set SS_POSTGRES"));
        Assert.That(result.Output, Does.Not.Contain("   at "), "a message, not a stack trace");
    }

    [Test]
    public async Task A_retry_cap_below_its_base_fails_at_start_naming_both_settings()
    {
        var environment = TestServers.Current.Environment();
        environment["Persistence__RetryBaseDelayMs"] = "500";
        environment["Persistence__RetryMaxDelayMs"] = "100";

        var result = await Infrastructure.Cli.RunAsync(environment, TimeSpan.FromMinutes(2), "run", "persistence", "--http-port", "0");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
        Assert.That(result.Output, Does.Contain("Persistence:RetryMaxDelayMs (100) must not be below Persistence:RetryBaseDelayMs (500)."));
    }

    [Test]
    public async Task Broker_publishes_its_address_and_removes_it_on_sigterm()
    {
        var directory = Directory.CreateTempSubdirectory("ss-broker-");
        var bootstrapFile = Path.Combine(directory.FullName, "bootstrap");
        using var broker = Infrastructure.Cli.Start(null, "run", "broker", "--bootstrap-file", bootstrapFile, "--partitions", "3");
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(bootstrapFile) && !broker.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(100);
            }

            Assert.That(File.Exists(bootstrapFile), Is.True, "the broker wrote its bootstrap file");
            var bootstrap = (await File.ReadAllTextAsync(bootstrapFile)).Trim();
            using (var admin = new Confluent.Kafka.AdminClientBuilder(new Confluent.Kafka.AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                var transactions = admin.GetMetadata("transactions", TimeSpan.FromSeconds(10)).Topics.Single();
                Assert.That(transactions.Partitions, Has.Count.EqualTo(3));
            }

            Process.Start("kill", ["-TERM", broker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await broker.WaitForExitAsync(stopped.Token);

            Assert.That(broker.ExitCode, Is.Zero);
            Assert.That(File.Exists(bootstrapFile), Is.False, "a stopped broker leaves no address behind");
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Kill(entireProcessTree: true);
            }

            directory.Delete(recursive: true);
        }
    }
}
