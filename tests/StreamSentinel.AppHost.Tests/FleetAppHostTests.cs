using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.AppHost.Tests;

/// <summary>
/// The fleet the Aspire way: the AppHost (executables and projects only) on a stack of its own beside the one the other
/// tests use, every resource healthy, traffic through the gateway, verify clean, and one transaction's trace across the
/// three stages, read back from the dashboard.
/// </summary>
public sealed class FleetAppHostTests
{
    private const string Token = "apphost-test-token-0123456789";

    // Ports of this stack: scripts/stack.sh's plus 6000 (61432 .. 65000), so they never meet the stack scripts/test.sh
    // started, and lie above Linux's ephemeral range (32768 .. 60999), where no outgoing connection of the run can hold one.
    private const int PortOffset = 6000;

    private static readonly string[] Resources = ["postgres", "redis", "clickhouse", "kafka", "detection", "persistence-1", "persistence-2", "gateway", "console"];

    [Test]
    public async Task The_fleet_starts_healthy_stores_traffic_once_and_traces_a_transaction_through_all_three_stages()
    {
        var stackDirectory = Path.Combine(Path.GetTempPath(), $"ss-apphost-test-{Environment.ProcessId}");
        try
        {
            await RunFleetAsync(stackDirectory);
        }
        finally
        {
            // Disposing the AppHost stops its servers, but once a redis-server outlived it (its `stack.sh serve` ended
            // before stopping it) and held the port for the next run: stack.sh stops whatever of this stack still runs.
            if (Directory.Exists(stackDirectory))
            {
                await StopLeftoversAsync(stackDirectory);
                Directory.Delete(stackDirectory, recursive: true);
            }
        }
    }

    private static async Task StopLeftoversAsync(string stackDirectory)
    {
        var (_, output) = await Cli.RunScriptAsync(
            "stack.sh", new Dictionary<string, string> { ["SS_STACK_DIR"] = stackDirectory, ["SS_STACK_PORT_OFFSET"] = $"{PortOffset}" }, "down");
        await TestContext.Out.WriteLineAsync($"stack.sh down after the AppHost: {output.Trim()}");
    }

    private static async Task RunFleetAsync(string stackDirectory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.StreamSentinel_AppHost>(
            [$"Stack:Directory={stackDirectory}", $"Stack:PortOffset={PortOffset}", "Stack:PersistenceWorkers=2", $"Parameters:gateway-token={Token}"],
            (options, _) => options.DisableDashboard = false,
            timeout.Token);
        await using var app = await builder.BuildAsync(timeout.Token);

        var started = Stopwatch.StartNew();
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceAsync("migrate", KnownResourceStates.Finished, timeout.Token);
        foreach (var resource in Resources)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        await TestContext.Out.WriteLineAsync($"every resource healthy {started.Elapsed.TotalSeconds:F1} s after start");

        var environment = new Dictionary<string, string>
        {
            ["SS_POSTGRES"] = (await app.GetConnectionStringAsync("postgres", timeout.Token))!,
            ["SS_CLICKHOUSE"] = (await app.GetConnectionStringAsync("clickhouse", timeout.Token))!,
            ["SS_REDIS"] = (await app.GetConnectionStringAsync("redis", timeout.Token))!,
            ["SS_KAFKA"] = "",
            ["SS_KAFKA_FILE"] = Path.Combine(stackDirectory, "kafka", "aspire-bootstrap"),
        };
        var gateway = app.GetEndpoint("gateway", "http");

        // One transaction on its own (its own trace), then a simulated run through the gateway.
        using var http = new HttpClient { BaseAddress = gateway };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var traced = await http.PostAsync("/v1/transactions", new StringContent(Transaction, Encoding.UTF8, "application/json"), timeout.Token);
        Assert.That(traced.IsSuccessStatusCode, Is.True, await traced.Content.ReadAsStringAsync(timeout.Token));
        var eventId = JsonNode.Parse(await traced.Content.ReadAsStringAsync(timeout.Token))!["event_id"]!.GetValue<string>();
        var simulated = await Cli.RunAsync(environment, "simulate", "--count", "2000", "--rate", "1000", "--seed", "77", "--via", "gateway", "--gateway-url", gateway.ToString(), "--token", Token);
        Assert.That(simulated.ExitCode, Is.Zero, simulated.Output);

        var verify = await VerifyUntilPassedAsync(environment, timeout.Token);
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.Contain("2,001 valid results").And.Contain(" 0 not yet committed"));

        // Beside verify: plain counts of each store against what detection produced for the 2,001 transactions.
        var bootstrap = (await File.ReadAllTextAsync(environment["SS_KAFKA_FILE"], timeout.Token)).Trim();
        var (events, alerts) = IndependentCounts.ProducedResults(bootstrap);
        Assert.That(events, Is.EqualTo(2001), "one result per transaction in fraud-detection-results");
        using (var clickHouse = new ClickHouseClient(environment["SS_CLICKHOUSE"]))
        {
            await IndependentCounts.AssertStoredOnceAsync(new ClickHouseDatabase(clickHouse), environment["SS_POSTGRES"], bootstrap, 2001, alerts, deadLetters: 0);
        }

        var stages = await TraceOfAsync(app, eventId, timeout.Token);
        Assert.That(stages, Is.SupersetOf(new[] { "gateway", "detection" }).And.Some.StartsWith("persistence-"), string.Join(", ", stages));
    }

    private const string Transaction = """
        {"schema_version":1,"transaction_id":"t-apphost-1","user_id":"u-apphost","card_id":"c-1","merchant_id":"m-1","merchant_category":"5411",
         "amount":12.5,"currency":"EUR","event_time":"2026-11-25T10:00:00Z","latitude":48.85,"longitude":2.35,"country":"FR",
         "device_id":"d-1","ip_address":"10.0.0.1","channel":"POS"}
        """;

    private static async Task<(int ExitCode, string Output)> VerifyUntilPassedAsync(Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Cli.RunAsync(environment, "verify");
            if ((result.ExitCode == 0 && result.Output.Contains(" 0 not yet committed", StringComparison.Ordinal)) || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            await Task.Delay(2000, CancellationToken.None);
        }
    }

    /// <summary>The services (resource names) whose spans carry <paramref name="eventId"/>, within one trace, from the dashboard's telemetry API.</summary>
    private static async Task<List<string>> TraceOfAsync(DistributedApplication app, string eventId, CancellationToken cancellationToken)
    {
        var dashboard = app.GetEndpoint("aspire-dashboard", "http");
        using var http = new HttpClient { BaseAddress = dashboard };
        var stages = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            // Spans reach the dashboard in the workers' export intervals (a few seconds).
            using var document = JsonDocument.Parse(await http.GetStringAsync("/api/telemetry/traces", cancellationToken));
            var spans = new List<(string Trace, string Service)>();
            foreach (var resourceSpans in document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
            {
                var service = resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                    .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
                foreach (var span in resourceSpans.GetProperty("scopeSpans").EnumerateArray().SelectMany(s => s.GetProperty("spans").EnumerateArray()))
                {
                    if (span.TryGetProperty("attributes", out var attributes)
                        && attributes.EnumerateArray().Any(a => a.GetProperty("key").GetString() == "stream_sentinel.event_id"
                            && a.GetProperty("value").GetProperty("stringValue").GetString() == eventId))
                    {
                        spans.Add((span.GetProperty("traceId").GetString()!, service));
                    }
                }
            }

            stages = [.. spans.GroupBy(s => s.Trace).OrderByDescending(g => g.Count()).FirstOrDefault()?.Select(s => s.Service).Distinct() ?? []];
            if (stages.Count >= 3)
            {
                break;
            }

            await Task.Delay(1000, CancellationToken.None);
        }

        return stages;
    }
}
