using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Simulation;

namespace StreamSentinel.IntegrationTests.Gateway;

/// <summary><c>run gateway</c> through the entry point, on a development broker of each test's own.</summary>
public sealed partial class GatewayTests
{
    private const string Token = "test-token-0123456789";

    private static readonly string Valid = """
        {"schema_version":1,"transaction_id":"t-1","user_id":"u-1","card_id":"c-1","merchant_id":"m-1","merchant_category":"5411",
         "amount":12.5,"currency":"EUR","event_time":"2026-11-25T10:00:00Z","latitude":48.85,"longitude":2.35,"country":"FR",
         "device_id":"d-1","ip_address":"10.0.0.1","channel":"POS"}
        """;

    private DevelopmentBroker _broker = null!;
    private readonly List<ChildProcess> _gateways = [];

    [SetUp]
    public void StartBroker() => _broker = DevelopmentBroker.Start(1, Topics.All.ToDictionary(t => t, _ => 2), NullLogger.Instance);

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var gateway in _gateways)
        {
            gateway.Kill();
            await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10));
            gateway.Dispose();
        }

        _gateways.Clear();
        _broker.Dispose();
    }

    [Test]
    public async Task Intake_needs_a_known_bearer_token_and_health_does_not()
    {
        using var http = await StartAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await http.PostAsync("/v1/transactions", Json(Valid))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            using var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/transactions") { Content = Json(Valid) };
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-at-all");
            Assert.That((await http.SendAsync(wrong)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await http.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Authorized(http, "/v1/transactions", Valid)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }
    }

    [Test]
    public async Task Every_field_is_validated_and_the_error_names_it()
    {
        using var http = await StartAsync();
        (string Field, JsonNode? Value)[] cases =
        [
            ("transaction_id", ""), ("user_id", null), ("card_id", "c\u0001d"), ("merchant_id", ""), ("merchant_category", "54"),
            ("amount", -1), ("currency", "EURO"), ("event_time", null), ("latitude", 91), ("longitude", 181), ("country", "FRA"),
            ("device_id", ""), ("ip_address", null), ("schema_version", 7), ("event_id", new string('a', 64)),
        ];

        using (Assert.EnterMultipleScope())
        {
            foreach (var (field, value) in cases)
            {
                var body = JsonNode.Parse(Valid)!.AsObject();
                if (value is null)
                {
                    body.Remove(field);
                }
                else
                {
                    body[field] = value;
                }

                var response = await Authorized(http, "/v1/transactions", body.ToJsonString());
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), field);
                Assert.That(problem["errors"]?.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), $"{field}: {problem}");
            }
        }
    }

    [Test]
    public async Task The_same_transaction_sent_twice_keeps_one_event_id_and_a_batch_answers_per_item()
    {
        using var http = await StartAsync();
        var expected = EventIds.For(JsonSerializer.Deserialize(Valid, ContractsJsonContext.Default.Transaction)!);

        var first = JsonNode.Parse(await (await Authorized(http, "/v1/transactions", Valid)).Content.ReadAsStringAsync())!;
        var second = JsonNode.Parse(await (await Authorized(http, "/v1/transactions", Valid)).Content.ReadAsStringAsync())!;
        var other = JsonNode.Parse(Valid)!.AsObject();
        other["transaction_id"] = "t-2";
        var batchResponse = await Authorized(http, "/v1/transactions/batch", $"[{other.ToJsonString()}, {{\"schema_version\":1}}]");
        var batch = JsonNode.Parse(await batchResponse.Content.ReadAsStringAsync())!;

        var produced = ReadTransactions(3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)first["event_id"], Is.EqualTo(expected));
            Assert.That((string?)second["event_id"], Is.EqualTo(expected));
            Assert.That(batchResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(((int)batch["accepted"]!, (int)batch["rejected"]!), Is.EqualTo((1, 1)));
            Assert.That(batch["items"]!.AsArray().Select(i => (string?)i!["status"]), Is.EqualTo(new[] { "accepted", "rejected" }));
            Assert.That(produced.Count(t => t.EventId == expected), Is.EqualTo(2), "both submissions reach Kafka under one event id");
            Assert.That(produced.Select(t => t.IngestedAt), Has.All.Not.Null);
            Assert.That(produced.Select(t => t.EventId), Has.Member((string?)batch["items"]![0]!["event_id"]));
        }
    }

    [Test]
    public async Task A_full_queue_answers_429_with_retry_after_instead_of_buffering()
    {
        // Nothing listens on port 1: nothing is acknowledged, so the in-flight limit and then the queue fill up.
        using var http = await StartAsync(new() { ["SS_KAFKA"] = "127.0.0.1:1", ["Gateway__QueueCapacity"] = "5", ["Gateway__MaxInFlight"] = "5" });

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++)
        {
            var body = JsonNode.Parse(Valid)!.AsObject();
            body["transaction_id"] = $"t-{i}";
            responses.Add(await Authorized(http, "/v1/transactions", body.ToJsonString()));
        }

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        var throttled = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.InRange(10, 11), "the queue (5), the in-flight limit (5), and the one the producer holds while it waits");
            Assert.That(accepted + throttled.Count, Is.EqualTo(30), "nothing but 202 or 429");
            Assert.That(throttled.Select(r => r.Headers.RetryAfter?.Delta), Has.All.EqualTo(TimeSpan.FromSeconds(1)));
        }
    }

    [Test]
    public async Task SIGTERM_with_batches_in_flight_sends_every_accepted_event_to_kafka_once_and_refuses_the_rest()
    {
        using var http = await StartAsync();
        var gateway = _gateways[^1];
        var accepted = new System.Collections.Concurrent.ConcurrentBag<string>();
        var unanswered = new System.Collections.Concurrent.ConcurrentBag<string>();
        var refusedAfterSignal = 0;

        // Senders that keep a batch in flight until the gateway refuses them, so the signal always lands mid-request.
        async Task SendUntilRefusedAsync(int sender)
        {
            for (var b = 0; ; b++)
            {
                var items = Enumerable.Range(0, 200).Select(i =>
                {
                    var body = JsonNode.Parse(Valid)!.AsObject();
                    body["transaction_id"] = $"t-{sender}-{b}-{i}";
                    body["user_id"] = $"u-{i % 50}";
                    return body;
                }).ToList();
                var eventIds = items.Select(i => EventIds.For(JsonSerializer.Deserialize(i.ToJsonString(), ContractsJsonContext.Default.Transaction)!)).ToList();
                HttpResponseMessage answer;
                try
                {
                    answer = await Authorized(http, "/v1/transactions/batch", "[" + string.Join(",", items.Select(i => i.ToJsonString())) + "]");
                }
                catch (HttpRequestException)
                {
                    // The connection went away with the request: the gateway may or may not have taken some of it.
                    eventIds.ForEach(unanswered.Add);
                    Interlocked.Increment(ref refusedAfterSignal);
                    return;
                }

                if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref refusedAfterSignal);
                    return;
                }

                Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync());
                foreach (var item in JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["items"]!.AsArray())
                {
                    if ((string?)item!["status"] == "accepted")
                    {
                        accepted.Add((string)item["event_id"]!);
                    }
                }
            }
        }

        var senders = Enumerable.Range(0, 4).Select(s => Task.Run(() => SendUntilRefusedAsync(s))).ToList();
        await PipelineFixture.WaitForAsync(() => Task.FromResult(accepted.Count >= 2000), TimeSpan.FromMinutes(1));
        gateway.Terminate();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(40)), Is.True, "SIGTERM ends the gateway in bounded time");

        // A request after the stop is refused, never accepted.
        using var late = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var lateAnswer = await StatusOrNullAsync(() => Authorized(late, "/v1/transactions", Valid));

        var produced = ReadTransactions(accepted.Count).Select(t => t.EventId).ToList();
        TestContext.Out.WriteLine($"accepted {accepted.Count}, answer lost {unanswered.Count}, in Kafka {produced.Count}, late request: {lateAnswer?.ToString() ?? "refused"}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(gateway.ExitCode, Is.Zero, gateway.Output);
            Assert.That(refusedAfterSignal, Is.EqualTo(4), "every sender was still sending when the intake closed");
            Assert.That(lateAnswer, Is.Not.EqualTo(HttpStatusCode.Accepted), "a request after the stop");
            Assert.That(produced, Is.Unique, "no event reaches Kafka twice");
            Assert.That(produced.Intersect(accepted).Count(), Is.EqualTo(accepted.Count), "every accepted event reached Kafka");
            // Beyond the accepted ones, only events of a request whose answer was lost may be there.
            Assert.That(produced.Except(accepted).Except(unanswered), Is.Empty, "an event no answer accepted");
        }
    }

    [Test]
    public async Task The_simulator_can_send_its_traffic_through_the_gateway()
    {
        using var http = await StartAsync(new() { ["Gateway__QueueCapacity"] = "300" });

        // No Kafka settings at all: the simulator only talks to the gateway.
        var result = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string> { ["SS_KAFKA"] = "", ["SS_KAFKA_FILE"] = "", ["SS_GATEWAY_TOKEN"] = Token },
            "simulate", "--via", "gateway", "--gateway-url", http.BaseAddress!.ToString(), "--count", "3000", "--seed", "31");

        Assert.That(result.ExitCode, Is.Zero, result.ToString);
        Assert.That(result.Output, Does.Contain("sent 3,000 transactions").And.Contain("0 failed or rejected"));
        var expected = new TransactionSimulator(new SimulationOptions { Seed = 31 }).Generate(3000).Select(s => s.Transaction.EventId);
        Assert.That(ReadTransactions(3000).Select(t => t.EventId), Is.EquivalentTo(expected), "every one once, throttled ones sent again");
    }

    [Test]
    public async Task The_gateway_reports_its_work_and_its_life_on_the_operational_streams_and_never_its_tokens()
    {
        using var http = await StartAsync(new() { ["Operational__SnapshotIntervalSeconds"] = "1", ["Gateway__Instance"] = "gw-audited" });
        for (var i = 0; i < 5; i++)
        {
            var body = JsonNode.Parse(Valid)!.AsObject();
            body["transaction_id"] = $"t-audited-{i}";
            Assert.That((await Authorized(http, "/v1/transactions", body.ToJsonString())).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        // At least one periodic snapshot before the stop adds the last one: waited for on the topic, not slept.
        using (var consumer = TopicReader.FromStart(_broker.BootstrapServers, Topics.PerformanceMetrics))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (consumer.Consume(TimeSpan.FromMilliseconds(200)) is null)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no periodic snapshot within 30 s");
            }

            consumer.Close();
        }

        var gateway = _gateways.Single();
        gateway.Terminate();
        Assert.That(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True);

        var audits = Read(Topics.AuditEvents, ContractReaders.AuditEvents());
        var snapshots = Read(Topics.PerformanceMetrics, ContractReaders.PerformanceSnapshots());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                audits.Select(a => a.Action),
                Is.EqualTo(new[] { AuditActions.WorkerStarted, AuditActions.ConfigurationLoaded, AuditActions.WorkerStopped }));
            Assert.That(audits.Select(a => a.Actor).Distinct(), Is.EqualTo(new[] { "gateway/gw-audited" }));
            var configuration = audits.Single(a => a.Action == AuditActions.ConfigurationLoaded).Details.ToJsonString();
            Assert.That(configuration, Does.Contain("\"queue_capacity\":20000").And.Not.Contain(Token).And.Not.Contain("tokens"));
            Assert.That(snapshots, Has.Count.GreaterThanOrEqualTo(2), "one a second, and a last one at the stop");
            Assert.That(snapshots.Select(s => (s.WorkerKind, s.WorkerId)).Distinct(), Is.EqualTo(new[] { (WorkerKinds.Gateway, "gw-audited") }));
            Assert.That((snapshots.Sum(s => s.MessagesIn), snapshots.Sum(s => s.MessagesOut)), Is.EqualTo((5L, 5L)));
            Assert.That(snapshots.Sum(s => s.FlushLatencyMs?.Count ?? 0), Is.EqualTo(5), "one acknowledgement latency per transaction");
        }
    }

    /// <summary>
    /// What <paramref name="topic"/> holds, in the order it was produced: read until at least <paramref name="atLeast"/>
    /// arrived and then nothing more for three seconds, so that extra copies would show (30 s at the most).
    /// </summary>
    private List<T> Read<T>(string topic, MessageReader<T> reader, int atLeast = 0)
        where T : class
    {
        using var consumer = TopicReader.FromStart(_broker.BootstrapServers, topic);
        var read = new List<(DateTime Timestamp, T Value)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline && (read.Count < atLeast || DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message)
            {
                Assert.That(reader.TryRead(message.Message.Value, out var value, out var error), Is.True, () => $"{error}");
                read.Add((message.Message.Timestamp.UtcDateTime, value!));
                quietSince = DateTime.UtcNow;
            }
        }

        consumer.Close();
        return [.. read.OrderBy(r => r.Timestamp).Select(r => r.Value)];
    }

    private List<Transaction> ReadTransactions(int atLeast) => Read(Topics.Transactions, ContractReaders.Transactions(), atLeast);

    private async Task<HttpClient> StartAsync(Dictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string> { ["SS_KAFKA"] = _broker.BootstrapServers, ["Gateway__Tokens__0"] = Token };
        foreach (var (key, value) in settings ?? [])
        {
            environment[key] = value;
        }

        var gateway = ChildProcess.Start("gateway", environment, "run", "gateway", "--http-port", "0");
        _gateways.Add(gateway);
        await gateway.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
        return new HttpClient { BaseAddress = new Uri(Listening().Match(gateway.Output).Groups[1].Value) };
    }

    private static Task<HttpResponseMessage> Authorized(HttpClient http, string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The status the request got, or null when the connection was refused or cut.</summary>
    private static async Task<HttpStatusCode?> StatusOrNullAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return (await send()).StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"metrics on (http://\S+) ")]
    private static partial Regex Listening();
}
