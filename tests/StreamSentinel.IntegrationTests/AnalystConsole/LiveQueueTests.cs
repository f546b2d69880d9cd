using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// The live queue (issue 19): the console's event stream announces alerts the fleet's writer stores and changes
/// analysts make, heard through PostgreSQL's LISTEN/NOTIFY, to at most Console:LiveQueue:MaxConnections browsers.
/// </summary>
public sealed partial class LiveQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ConsoleFixture _fixture = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _fixture = await ConsoleFixture.StartAsync(
            seed: 83,
            alertShare: 0.5,
            results: 200,
            [("ana", "ana-password-0123", "analyst"), ("vera", "vera-password-0123", "viewer")],
            [],
            new Dictionary<string, string> { ["Console__LiveQueue__MaxConnections"] = "2", ["Console__LiveQueue__HeartbeatSeconds"] = "1" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task A_stored_batch_and_a_status_change_reach_an_open_stream()
    {
        using var vera = await _fixture.SignInAsync("vera", "vera-password-0123");
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        using var anonymous = new HttpClient { BaseAddress = _fixture.Address };
        using var refused = await EventStream.OpenAsync(anonymous, "/api/alerts/stream");
        using var stream = await EventStream.OpenAsync(vera, "/api/alerts/stream");
        Assert.That(stream.Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(stream.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));

        // Stored after the stream opened, as the persistence fleet stores a batch: one insert, one notification.
        var batch = (await _fixture.StoreAlertsAsync(seed: 831, count: 7)).Where(r => r.IsAlert).ToList();
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var ids = (await connection.QueryAsync<Guid>(
            "SELECT id FROM fraud_alerts WHERE transaction_id = ANY(@ids)", new { ids = batch.Select(r => r.Result.TransactionId).ToArray() })).ToList();
        var created = JsonNode.Parse((await stream.NextAsync(e => e.Name == "alerts" && e.Data.Contains("\"created\"", StringComparison.Ordinal), Deadline)).Data)!;

        // An analyst's change is announced too, with the alert's id.
        var one = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{ids[0]}"))!["alert"]!;
        var change = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{ids[0]}/status") { Content = JsonContent.Create(new { status = "INVESTIGATING" }) };
        change.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{one["version"]}\""));
        Assert.That((await ana.SendAsync(change)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var changed = JsonNode.Parse((await stream.NextAsync(e => e.Name == "alerts" && e.Data.Contains("\"changed\"", StringComparison.Ordinal), Deadline)).Data)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the stream needs the Read policy");
            Assert.That(ids, Has.Count.EqualTo(batch.Count).And.Count.GreaterThan(0));
            Assert.That(created["count"]!.GetValue<int>(), Is.EqualTo(ids.Count), "one notification for the whole batch");
            Assert.That(created["ids"]!.AsArray().Select(i => i!.GetValue<Guid>()), Is.EquivalentTo(ids));
            Assert.That(changed["count"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(changed["ids"]!.AsArray().Select(i => i!.GetValue<Guid>()), Is.EqualTo(new[] { ids[0] }));
            Assert.That(stream.Comments, Is.GreaterThanOrEqualTo(1), "the opening comment, then heartbeats");
        }
    }

    [Test]
    public async Task Streams_beyond_the_limit_are_refused_with_503_and_a_freed_place_is_taken_again()
    {
        using var vera = await _fixture.SignInAsync("vera", "vera-password-0123");
        using var anonymous = new HttpClient { BaseAddress = _fixture.Address };
        // Streams of another test end when the console notices their connection closed: wait for none to be open.
        await SubscribersAsync(anonymous, 0);

        var first = await EventStream.OpenAsync(vera, "/api/alerts/stream");
        using var second = await EventStream.OpenAsync(vera, "/api/alerts/stream");
        using var third = await EventStream.OpenAsync(vera, "/api/alerts/stream");
        var problem = JsonNode.Parse(await third.Response.Content.ReadAsStringAsync())!;
        var gauge = await SubscribersAsync(anonymous, 2);
        var heartbeats = second.Comments;
        await Until(() => second.Comments > heartbeats, "a heartbeat on an idle stream (every second here)");

        first.Dispose();
        await SubscribersAsync(anonymous, 1);
        using var again = await EventStream.OpenAsync(vera, "/api/alerts/stream");
        var metrics = await anonymous.GetStringAsync("/metrics");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.Response.StatusCode, second.Response.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
            Assert.That(third.Response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(third.Response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem["title"]!.GetValue<string>(), Is.EqualTo("The live queue is full."));
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("at most 2 browsers").And.Contain("Console:LiveQueue:MaxConnections"));
            Assert.That(third.Response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(gauge, Is.EqualTo(2));
            Assert.That(again.Response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the place the first stream freed");
            Assert.That(Refused().Match(metrics).Groups[1].Value, Is.EqualTo("1"));
        }
    }

    /// <summary>Polls the subscribers gauge on /metrics until it reads <paramref name="expected"/>.</summary>
    private static async Task<long> SubscribersAsync(HttpClient http, long expected)
    {
        long seen = -1;
        await Until(
            async () =>
            {
                var match = Subscribers().Match(await http.GetStringAsync("/metrics"));
                seen = match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
                return seen == expected;
            },
            $"{expected} live queue subscribers on /metrics");
        return seen;
    }

    private static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Deadline}: {what}.");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^stream_sentinel_console_live_queue_subscribers(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex Subscribers();

    [GeneratedRegex(@"^stream_sentinel_console_live_queue_refused(?:_total)?(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex Refused();
}
