using StreamSentinel.Hosting.Configuration;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.BrowserTests;

/// <summary>
/// The servers (the SS_* variables scripts/test.sh exports) and Debian's Chromium. Either missing fails the run with
/// what to do: a browser test that cannot run is a failure, not a skip.
/// </summary>
[SetUpFixture]
public sealed class AssemblySetUp
{
    /// <summary>Debian's Chromium, or <c>SS_CHROMIUM</c>.</summary>
    public static string Chromium { get; } = Environment.GetEnvironmentVariable("SS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [OneTimeSetUp]
    public void FindServersAndBrowser()
    {
        var variables = StackEnvironment.Servers.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        var missing = variables.Where(v => string.IsNullOrWhiteSpace(v.Value)).Select(v => v.Key).ToList();
        if (missing.Count > 0)
        {
            Assert.Fail($"No test servers: {string.Join(", ", missing)} not set. Run scripts/test.sh, or `scripts/stack.sh up` and `set -a; . .stack/env; set +a`.");
        }

        if (!File.Exists(Chromium))
        {
            Assert.Fail($"No browser at {Chromium}: run `scripts/stack.sh browser` (Debian's chromium), or set SS_CHROMIUM.");
        }

        TestServers.Current = new TestServers(
            variables[StackEnvironment.Postgres]!, variables[StackEnvironment.ClickHouse]!, variables[StackEnvironment.Redis]!, variables[StackEnvironment.Kafka]!,
            "SS_* environment variables");
    }
}
