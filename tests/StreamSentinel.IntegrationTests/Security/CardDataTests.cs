using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Detection;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Simulation;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Issue 18, item 6: a card number (PAN) where a token belongs is refused at the gateway and dead-lettered, masked,
/// by detection when it arrives by another route; card, device and IP can be pseudonymised before Kafka.
/// </summary>
public sealed class CardDataTests
{
    private const string Token = "security-token-0123456789";

    // A Visa test number in the three shapes a client might send it; each passes Luhn.
    private const string Pan = "4111111111111111";

    private static readonly string Valid = """
        {"schema_version":1,"transaction_id":"t-1","user_id":"u-1","card_id":"c-1","merchant_id":"m-1","merchant_category":"5411",
         "amount":12.5,"currency":"EUR","event_time":"2026-11-25T10:00:00Z","latitude":48.85,"longitude":2.35,"country":"FR",
         "device_id":"d-1","ip_address":"10.0.0.1","channel":"POS"}
        """;

    [Test]
    public async Task A_card_number_at_intake_is_refused_masked_and_never_reaches_kafka()
    {
        await using var gateway = await GatewayProcess.StartAsync([Token]);

        var single = await gateway.PostAsync("/v1/transactions", With("t-pan-1", "card_id", "4111 1111 1111 1111"), Token);
        var singleBody = await single.Content.ReadAsStringAsync();
        var batch = await gateway.PostAsync("/v1/transactions/batch", $"[{With("t-ok", "card_id", "c-77")},{With("t-pan-2", "card_id", "4111-1111-1111-1111")}]", Token);
        var batchBody = await batch.Content.ReadAsStringAsync();
        var transactions = gateway.Read(Topics.Transactions, atLeast: 1);
        var everything = Topics.All.SelectMany(topic => gateway.Read(topic)).Select(m => Encoding.UTF8.GetString(m.Value ?? []) + Encoding.UTF8.GetString(m.Key ?? [])).ToList();

        using var batchJson = JsonDocument.Parse(batchBody);
        using var singleJson = JsonDocument.Parse(singleBody);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(single.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), singleBody);
            Assert.That(singleJson.RootElement.GetProperty("code").GetString(), Is.EqualTo("card_number"));
            Assert.That(singleJson.RootElement.GetProperty("errors").GetProperty("card_id")[0].GetString(), Does.StartWith("card_number: 'card_id' looks like a card number"));
            Assert.That(batch.StatusCode, Is.EqualTo(HttpStatusCode.OK), batchBody);
            var items = batchJson.RootElement.GetProperty("items");
            Assert.That(items[0].GetProperty("status").GetString(), Is.EqualTo("accepted"));
            Assert.That(items[1].GetProperty("status").GetString(), Is.EqualTo("rejected"));
            Assert.That(items[1].GetProperty("errors").GetProperty("card_id")[0].GetString(), Does.StartWith("card_number:"));
            foreach (var text in new[] { singleBody, batchBody, gateway.Output })
            {
                Assert.That(Digits(text), Does.Not.Contain(Pan), "the number is never echoed, in an answer or a log");
            }

            Assert.That(transactions.Select(m => Read(m).TransactionId), Is.EqualTo(new[] { "t-ok" }), "only the valid one reaches Kafka");
            Assert.That(everything.Where(text => Digits(text).Contains(Pan, StringComparison.Ordinal)), Is.Empty, "no topic holds the number");
        }
    }

    [Test]
    public async Task A_card_number_arriving_on_kafka_is_dead_lettered_masked_by_detection()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 2);
        await pipeline.StartDetectionWorkerAsync("d-pan");
        var valid = new TransactionSimulator(new SimulationOptions { Seed = 181 }).Generate(2).Select(s => s.Transaction).ToList();
        // Produced straight to Kafka (a producer that bypasses the gateway): the event id even matches the number.
        var withPan = (valid[1] with { CardId = "4111 1111 1111 1111" }).WithEventId();
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            foreach (var transaction in new[] { valid[0], withPan })
            {
                producer.Produce(Topics.Transactions, new Message<byte[]?, byte[]?>
                {
                    Key = Encoding.UTF8.GetBytes(transaction.UserId),
                    Value = JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction),
                });
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        var results = DetectionFleetTests.ReadResults(pipeline, r => r.Count >= 1);
        var letters = ReadAll(pipeline.Broker.BootstrapServers, Topics.DeadLetters, atLeast: 1);
        var audit = ReadAll(pipeline.Broker.BootstrapServers, Topics.AuditEvents, atLeast: 1);

        Assert.That(letters, Has.Count.EqualTo(1), pipeline.WorkerLogs);
        var letter = letters[0];
        var payload = JsonNode.Parse(letter.Value)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.EventId), Is.EqualTo(new[] { valid[0].EventId }), "the valid one is scored, the other is not");
            Assert.That(Header(letter, "ss-dlq-reason"), Is.EqualTo("card_number"));
            Assert.That(Header(letter, "ss-dlq-masked"), Is.EqualTo("card_number"));
            Assert.That(Header(letter, "ss-dlq-original-topic"), Is.EqualTo(Topics.Transactions));
            Assert.That(payload["card_id"]!.GetValue<string>(), Is.EqualTo("**** **** **** 1111"), "masked, last four kept, so a person can still match it");
            Assert.That(payload["transaction_id"]!.GetValue<string>(), Is.EqualTo(withPan.TransactionId), "the rest is as sent");
            Assert.That(Digits(Encoding.UTF8.GetString(letter.Value!) + string.Join("", letter.Headers.Select(h => Encoding.UTF8.GetString(h.GetValueBytes())))), Does.Not.Contain(Pan));
            Assert.That(audit.Select(m => Digits(Encoding.UTF8.GetString(m.Value!))), Has.None.Contain(Pan), "nor in the audit events");
            Assert.That(Digits(pipeline.WorkerLogs()), Does.Not.Contain(Pan), "nor in the worker's logs");
        }
    }

    [Test]
    public async Task With_a_key_card_device_and_ip_reach_kafka_only_as_stable_keyed_pseudonyms()
    {
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
        await using var gateway = await GatewayProcess.StartAsync([Token], new() { ["Gateway__Pseudonymisation__Key"] = key });

        var first = await gateway.PostAsync("/v1/transactions", Valid, Token);
        var again = await gateway.PostAsync("/v1/transactions", Valid, Token);
        var other = await gateway.PostAsync("/v1/transactions", With("t-2", "card_id", "c-2"), Token);
        var sent = gateway.Read(Topics.Transactions, atLeast: 3).Select(Read).ToList();
        var config = gateway.Read(Topics.AuditEvents).Select(m => Encoding.UTF8.GetString(m.Value!)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { first.StatusCode, again.StatusCode, other.StatusCode }, Has.All.EqualTo(HttpStatusCode.Accepted));
            Assert.That(sent, Has.Count.EqualTo(3));
            Assert.That(sent.SelectMany(t => new[] { t.CardId, t.DeviceId, t.IpAddress }), Has.All.Match("^p1:[0-9a-f]{40}$"));
            Assert.That(sent.Select(t => t.CardId).Distinct().Count(), Is.EqualTo(2), "one pseudonym per card: c-1 twice, c-2 once");
            Assert.That(sent[0] with { IngestedAt = null }, Is.EqualTo(sent[1] with { IngestedAt = null }), "the same payment twice: the same pseudonyms and event id");
            Assert.That(sent[0].CardId, Is.Not.EqualTo(sent[0].DeviceId));
            Assert.That(sent.Select(t => t.EventId), Has.All.Not.EqualTo(JsonSerializer.Deserialize(Valid, ContractsJsonContext.Default.Transaction)!.WithEventId().EventId));
            Assert.That(ContractReaders.Transactions().TryRead(JsonSerializer.SerializeToUtf8Bytes(sent[0], ContractsJsonContext.Default.Transaction), out _, out var error), Is.True, () => $"{error}");
            Assert.That(config, Has.None.Contain(key), "the key is not in the configuration the gateway describes");
        }
    }

    [Test]
    public async Task A_pseudonymisation_key_that_is_too_short_stops_the_gateway_at_start_naming_the_setting()
    {
        var result = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string> { ["SS_KAFKA"] = "127.0.0.1:1", ["Gateway__Tokens__0"] = Token, ["Gateway__Pseudonymisation__Key"] = Convert.ToBase64String(new byte[16]) },
            "run", "gateway", "--http-port", "0");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
        Assert.That(result.Output, Does.Contain("Gateway:Pseudonymisation:Key"));
    }

    [Test]
    public async Task BI_reads_a_view_without_card_device_or_ip_and_the_named_queries_use_it()
    {
        await using var databases = await IsolatedDatabases.CreateMigratedAsync();
        var columns = (await databases.ClickHouse.QueryTsvAsync(
            "SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table IN ('transaction_records', 'transaction_records_bi')",
            CancellationToken.None)).GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Select(r => r[1]).ToList());
        string[] identifiers = ["card_id", "device_id", "ip_address"];
        var queries = Directory.GetFiles(RepositoryRoot.Combine("sql", "bi"), "*.sql").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(columns["transaction_records"], Is.SupersetOf(identifiers), "the table the writers fill keeps them");
            Assert.That(columns["transaction_records_bi"], Has.None.AnyOf(identifiers));
            Assert.That(columns["transaction_records_bi"], Is.EquivalentTo(columns["transaction_records"].Except(identifiers)), "every other column is there");
            foreach (var (name, sql) in queries)
            {
                var code = string.Join("\n", sql.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
                Assert.That(code, Does.Not.Match(@"\btransaction_records\b(?!_bi)"), $"{name} reads the raw table");
                Assert.That(identifiers.Where(code.Contains), Is.Empty, $"{name} reads an identifier");
            }
        }
    }

    private static string With(string transactionId, string field, string value)
    {
        var body = JsonNode.Parse(Valid)!.AsObject();
        body["transaction_id"] = transactionId;
        body[field] = value;
        return body.ToJsonString();
    }

    private static Transaction Read(Message<byte[]?, byte[]?> message)
    {
        Assert.That(ContractReaders.Transactions().TryRead(message.Value, out var transaction, out var error), Is.True, () => $"{error}");
        return transaction!;
    }

    private static string? Header(Message<byte[]?, byte[]?> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    // Separators removed: "4111 1111 …" and "4111-1111-…" must not slip past a search for the digits.
    private static string Digits(string text) => text.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    private static List<Message<byte[]?, byte[]?>> ReadAll(string bootstrap, string topic, int atLeast)
    {
        using var consumer = TopicReader.FromStart(bootstrap, topic);
        var read = new List<Message<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline && (read.Count < atLeast || DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message)
            {
                read.Add(message.Message);
                quietSince = DateTime.UtcNow;
            }
        }

        consumer.Close();
        return read;
    }
}
