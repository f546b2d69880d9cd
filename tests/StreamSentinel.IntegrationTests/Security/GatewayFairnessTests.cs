using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>Issue 18, item 4: per-client limits at the gateway, streamed batches with a body limit, future event times refused.</summary>
public sealed class GatewayFairnessTests
{
    private const string Flooder = "flooding-client-token-0";
    private const string Neighbour = "neighbour-client-token-1";

    [Test]
    public async Task One_client_flooding_the_gateway_is_throttled_by_its_rate_alone_and_audited_and_the_other_gets_in()
    {
        await using var gateway = await GatewayProcess.StartAsync([Flooder, Neighbour], new()
        {
            ["Gateway__ClientRatePerSecond"] = "20",
            ["Gateway__ClientBurst"] = "100",
            ["Gateway__AuditIntervalSeconds"] = "1",
        });

        var flood = await BatchAsync(gateway, Flooder, Enumerable.Range(0, 600).Select(i => Payment($"flood-{i}", "u-flood")));
        var neighbour = await BatchAsync(gateway, Neighbour, Enumerable.Range(0, 50).Select(i => Payment($"calm-{i}", "u-calm")));
        var sent = gateway.Read(Topics.Transactions, atLeast: flood.Accepted + neighbour.Accepted);
        var refusals = gateway.Read(Topics.AuditEvents, atLeast: 1)
            .Select(m => JsonSerializer.Deserialize(m.Value, ContractsJsonContext.Default.AuditEvent)!)
            .Where(a => a.Action == "intake.refused").ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(flood.Status, Is.EqualTo(HttpStatusCode.OK), "partly accepted: a success that lists what to resend");
            // The burst, plus what the bucket refilled (20/s) while the batch was being taken in: well under the 600 sent.
            Assert.That(flood.Accepted, Is.InRange(100, 140));
            Assert.That(flood.Throttled, Is.EqualTo(600 - flood.Accepted));
            Assert.That(neighbour.Accepted, Is.EqualTo(50), "the other client's bucket is its own");
            Assert.That(sent.Select(m => Encoding.UTF8.GetString(m.Headers.GetLastBytes("ss-client"))).Distinct().Order(), Is.EqualTo(new[] { "client-0", "client-1" }));
            Assert.That(
                sent.Where(m => Encoding.UTF8.GetString(m.Headers.GetLastBytes("ss-client")) == "client-1").Count(),
                Is.EqualTo(50),
                "every transaction carries the identity of the client that sent it");
            Assert.That(refusals.Select(a => a.EntityId).Distinct(), Is.EqualTo(new[] { "client-0" }), "only the flooding client is in the audit trail");
            Assert.That(refusals.Sum(a => a.Details["throttled"]?["rate"]?.GetValue<long>() ?? 0), Is.EqualTo(flood.Throttled));
        }
    }

    [Test]
    public async Task One_client_cannot_take_more_than_its_share_of_the_queue()
    {
        // Kafka unreachable: nothing leaves the queue, so what each client holds only grows.
        await using var gateway = await GatewayProcess.StartAsync([Flooder, Neighbour], new()
        {
            ["SS_KAFKA"] = "127.0.0.1:1",
            ["Gateway__QueueCapacity"] = "100",
            ["Gateway__MaxInFlight"] = "1",
            ["Gateway__ClientQueueShare"] = "0.5",
        });

        var flood = await BatchAsync(gateway, Flooder, Enumerable.Range(0, 300).Select(i => Payment($"flood-{i}", "u-flood")));
        var more = await BatchAsync(gateway, Flooder, Enumerable.Range(0, 20).Select(i => Payment($"more-{i}", "u-flood")));
        var single = await gateway.PostAsync("/v1/transactions", Payment("flood-more", "u-flood"), Flooder);
        var singleBody = await single.Content.ReadAsStringAsync();
        var neighbour = await BatchAsync(gateway, Neighbour, Enumerable.Range(0, 45).Select(i => Payment($"calm-{i}", "u-calm")));

        using (Assert.EnterMultipleScope())
        {
            // Its share (50), plus at most the two the producer took out of the queue: one in flight, one waiting for room.
            Assert.That(flood.Accepted + more.Accepted, Is.InRange(50, 52));
            Assert.That(more.Throttled, Is.AtLeast(18));
            Assert.That(single.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), singleBody);
            Assert.That(singleBody, Does.Contain("\"reason\":\"client_share\""));
            Assert.That(single.Headers.RetryAfter, Is.Not.Null);
            Assert.That(neighbour.Accepted, Is.EqualTo(45), "the rest of the queue is still there for the other client");
        }
    }

    [Test]
    public async Task A_batch_past_the_body_limit_gets_413_and_nothing_of_it_is_accepted()
    {
        await using var gateway = await GatewayProcess.StartAsync([Flooder], new() { ["Gateway__MaxBatchBytes"] = "4096" });
        var batch = "[" + string.Join(",", Enumerable.Range(0, 40).Select(i => Payment($"big-{i}", "u-big"))) + "]";

        var declared = await gateway.PostAsync("/v1/transactions/batch", batch, Flooder);
        // Without Content-Length (chunked): found out while streaming, after items were already parsed.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/transactions/batch")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(batch))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Authorization = new("Bearer", Flooder);
        var streamed = await gateway.Http.SendAsync(chunked);
        var streamedBody = await streamed.Content.ReadAsStringAsync();
        var small = await gateway.PostAsync("/v1/transactions/batch", "[" + Payment("small-1", "u-big") + "]", Flooder);
        var sent = gateway.Read(Topics.Transactions, atLeast: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(streamed.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), streamedBody);
            Assert.That(streamedBody, Does.Contain("exceeds 4096 bytes"));
            Assert.That(small.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sent.Select(m => JsonSerializer.Deserialize(m.Value, ContractsJsonContext.Default.Transaction)!.TransactionId), Is.EqualTo(new[] { "small-1" }), "the refused batches left nothing behind");
        }
    }

    [Test]
    public async Task An_event_time_past_the_allowed_skew_into_the_future_is_refused_with_a_clear_error()
    {
        await using var gateway = await GatewayProcess.StartAsync([Flooder]);

        var future = await gateway.PostAsync("/v1/transactions", Payment("future", "u-time", DateTimeOffset.UtcNow.AddMinutes(10)), Flooder);
        var futureBody = await future.Content.ReadAsStringAsync();
        var soon = await gateway.PostAsync("/v1/transactions", Payment("soon", "u-time", DateTimeOffset.UtcNow.AddMinutes(1)), Flooder);
        var batch = await BatchAsync(gateway, Flooder, [Payment("b-now", "u-time"), Payment("b-2099", "u-time", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero))]);

        using var json = JsonDocument.Parse(futureBody);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(future.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), futureBody);
            Assert.That(json.RootElement.GetProperty("errors").GetProperty("event_time")[0].GetString(), Does.Contain("more than 300 s after the gateway's clock"));
            Assert.That(soon.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a minute of clock skew is allowed");
            Assert.That((batch.Accepted, batch.Rejected), Is.EqualTo((1, 1)));
            Assert.That(batch.Items[1].GetProperty("errors").GetProperty("event_time")[0].GetString(), Does.StartWith("invalid_value:"));
        }
    }

    private static string Payment(string transactionId, string userId, DateTimeOffset? eventTime = null) => new JsonObject
    {
        ["schema_version"] = 1,
        ["transaction_id"] = transactionId,
        ["user_id"] = userId,
        ["card_id"] = "card-" + userId,
        ["merchant_id"] = "m-1",
        ["merchant_category"] = "5411",
        ["amount"] = 12.5,
        ["currency"] = "EUR",
        ["event_time"] = (eventTime ?? DateTimeOffset.UtcNow.AddMinutes(-5)).ToString("O", CultureInfo.InvariantCulture),
        ["latitude"] = 48.85,
        ["longitude"] = 2.35,
        ["country"] = "FR",
        ["device_id"] = "d-" + userId,
        ["ip_address"] = "10.0.0.1",
        ["channel"] = "POS",
    }.ToJsonString();

    private static async Task<BatchAnswer> BatchAsync(GatewayProcess gateway, string token, IEnumerable<string> payments)
    {
        var response = await gateway.PostAsync("/v1/transactions/batch", "[" + string.Join(",", payments) + "]", token);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.That(root.TryGetProperty("items", out var items), Is.True, body);
        return new BatchAnswer(
            response.StatusCode, root.GetProperty("accepted").GetInt32(), root.GetProperty("rejected").GetInt32(), root.GetProperty("throttled").GetInt32(),
            [.. items.EnumerateArray().Select(i => i.Clone())]);
    }

    private sealed record BatchAnswer(HttpStatusCode Status, int Accepted, int Rejected, int Throttled, List<JsonElement> Items);
}
