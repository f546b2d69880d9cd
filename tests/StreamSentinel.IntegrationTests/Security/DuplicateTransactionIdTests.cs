using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using StreamSentinel.IntegrationTests.Detection;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Issue 18, item 4: fraud_alerts was unique on the client-chosen transaction_id with ON CONFLICT DO NOTHING, so a
/// client reusing another's ids silently suppressed its alerts. Alerts are unique per event now.
/// </summary>
public sealed class DuplicateTransactionIdTests
{
    private const string ClientA = "client-a-token-0123456789";
    private const string ClientB = "client-b-token-0123456789";

    [Test]
    public async Task Two_clients_sending_the_same_transaction_ids_with_different_content_both_get_their_alerts()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 2);
        await pipeline.StartDetectionWorkerAsync("d-dup");
        await pipeline.StartWorkerAsync("p-dup");
        await using var gateway = await GatewayProcess.StartAsync([ClientA, ClientB], new() { ["SS_KAFKA"] = pipeline.Broker.BootstrapServers });

        // Six payments a minute by one user fire velocity_burst (4 a minute) from the fourth on: an alert each.
        // Both clients use the ids t-1..t-6, for different users and amounts.
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        foreach (var (token, user, amount) in new[] { (ClientA, "u-dup-a", 20.0), (ClientB, "u-dup-b", 35.0) })
        {
            for (var i = 1; i <= 6; i++)
            {
                var response = await gateway.PostAsync("/v1/transactions", Payment($"t-{i}", user, amount, start.AddSeconds(i * 5)), token);
                Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
            }
        }

        var results = DetectionFleetTests.ReadResults(pipeline, r => r.Count >= 12);
        var alerted = results.Where(r => IndependentCounts.IsAlert(r.Severity)).Select(r => (r.UserId, r.TransactionId)).Order().ToList();
        await pipeline.VerifyUntilPassedAsync(TimeSpan.FromMinutes(2));
        await using var connection = new NpgsqlConnection(pipeline.Databases.PostgresConnectionString);
        var stored = (await connection.QueryAsync<(string UserId, string TransactionId)>(
            "SELECT user_id AS UserId, transaction_id AS TransactionId FROM fraud_alerts ORDER BY user_id, transaction_id")).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.EventId).Distinct().Count(), Is.EqualTo(12), "twelve payments, twelve events");
            Assert.That(alerted.Count(a => a.UserId == "u-dup-a"), Is.AtLeast(3), "the fourth to sixth payment of each user alert");
            Assert.That(alerted.Where(a => a.UserId == "u-dup-b").Select(a => a.TransactionId), Is.EqualTo(alerted.Where(a => a.UserId == "u-dup-a").Select(a => a.TransactionId)));
            Assert.That(stored, Is.EqualTo(alerted), "every alert stored, those of both clients, though they share transaction ids");
        }
    }

    private static string Payment(string transactionId, string userId, double amount, DateTimeOffset eventTime) => new JsonObject
    {
        ["schema_version"] = 1,
        ["transaction_id"] = transactionId,
        ["user_id"] = userId,
        ["card_id"] = "card-" + userId,
        ["merchant_id"] = "m-dup",
        ["merchant_category"] = "5411",
        ["amount"] = amount,
        ["currency"] = "EUR",
        ["event_time"] = eventTime.ToString("O", CultureInfo.InvariantCulture),
        ["latitude"] = 48.85,
        ["longitude"] = 2.35,
        ["country"] = "FR",
        ["device_id"] = "d-" + userId,
        ["ip_address"] = "10.0.0.1",
        ["channel"] = "POS",
    }.ToJsonString();
}
