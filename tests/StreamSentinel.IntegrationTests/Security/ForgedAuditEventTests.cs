using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Somebody who reaches the broker publishes analysts' verdicts to <c>audit-events</c>: unsigned, signed with another
/// key, altered after signing, or claiming to be a worker. A persistence worker (the real entry point, the stack's
/// key from .stack/env) dead-letters each with its reason and stores none of them, while a verdict the console's key
/// signed and an unsigned worker event are stored as before.
/// </summary>
public sealed class ForgedAuditEventTests
{
    [Test]
    public async Task Forged_verdicts_are_dead_lettered_and_reach_neither_the_audit_trail_nor_alert_verdicts()
    {
        var keyId = System.Environment.GetEnvironmentVariable("SS_AUDIT_SIGNING_KEY_ID");
        var key = System.Environment.GetEnvironmentVariable("SS_AUDIT_SIGNING_KEY");
        Assert.That(key, Is.Not.Null.And.Not.Empty, "SS_AUDIT_SIGNING_KEY is not set: scripts/stack.sh up writes it to .stack/env");
        var console = Signer(keyId!, key!);
        var stranger = Signer(keyId!, Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()));

        await using var pipeline = await PipelineFixture.StartAsync(partitions: 3);
        var genuine = Verdict("analyst/ana", "CONFIRMED_FRAUD");
        var unsigned = Verdict("analyst/ana", "CONFIRMED_FRAUD");
        var otherKey = Verdict("analyst/ana", "FALSE_POSITIVE");
        var altered = Verdict("analyst/ana", "CONFIRMED_FRAUD");
        var unknownKeyId = Verdict("analyst/ana", "CONFIRMED_FRAUD");
        var posingAsWorker = Verdict("persistence/demo-1", "FALSE_POSITIVE");
        var workerEvent = new AuditEvent
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = DateTimeOffset.UtcNow,
            Actor = "detection/forged-test",
            Action = AuditActions.WorkerStarted,
            EntityType = "worker",
            EntityId = "detection/forged-test",
        };

        var alteredValue = Bytes(altered);
        var alteredHeaders = console.Sign(alteredValue);
        // The same event with the verdict turned round after the console signed it.
        var turned = JsonNode.Parse(alteredValue)!.AsObject();
        turned["details"]!["to"] = "FALSE_POSITIVE";
        var unknownHeaders = console.Sign(Bytes(unknownKeyId));
        unknownHeaders.Remove(AuditSignature.KeyIdHeader);
        unknownHeaders.Add(AuditSignature.KeyIdHeader, Encoding.UTF8.GetBytes("retired-key"));

        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build())
        {
            foreach (var (value, headers) in new (byte[] Value, Headers? Headers)[]
            {
                (Bytes(unsigned), null),
                (Bytes(otherKey), stranger.Sign(Bytes(otherKey))),
                (Encoding.UTF8.GetBytes(turned.ToJsonString()), alteredHeaders),
                (Bytes(unknownKeyId), unknownHeaders),
                (Bytes(posingAsWorker), null),
                (Bytes(genuine), console.Sign(Bytes(genuine))),
                (Bytes(workerEvent), null),
            })
            {
                await producer.ProduceAsync(Topics.AuditEvents, new Message<byte[]?, byte[]?> { Value = value, Headers = headers });
            }
        }

        await pipeline.StartWorkerAsync("guard", batchSize: 50);
        await PipelineFixture.WaitForAsync(
            async () => await pipeline.ClickHouseScalarAsync($"SELECT count() FROM alert_verdicts WHERE verdict_id = '{genuine.EventId}'") == 1
                && await pipeline.PostgresScalarAsync($"SELECT count(*) FROM system_audit_log WHERE event_id = '{workerEvent.EventId}'") == 1,
            TimeSpan.FromMinutes(2));
        var letters = ReadDeadLetters(pipeline, expected: 5);

        var forged = new[] { unsigned, otherKey, altered, unknownKeyId, posingAsWorker }.Select(e => $"'{e.EventId}'").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(letters, Is.EquivalentTo(new[]
            {
                (unsigned.EventId, "unsigned_audit_event"),
                (otherKey.EventId, "forged_audit_event"),
                (altered.EventId, "forged_audit_event"),
                (unknownKeyId.EventId, "unknown_signing_key"),
                (posingAsWorker.EventId, "unsigned_audit_event"),
            }));
            Assert.That(await pipeline.PostgresScalarAsync($"SELECT count(*) FROM system_audit_log WHERE event_id IN ({string.Join(",", forged)})"), Is.Zero);
            Assert.That(await pipeline.ClickHouseScalarAsync($"SELECT count() FROM alert_verdicts WHERE verdict_id IN ({string.Join(",", forged)})"), Is.Zero);
            Assert.That(await pipeline.PostgresScalarAsync($"SELECT count(*) FROM system_audit_log WHERE event_id = '{genuine.EventId}'"), Is.EqualTo(1), "the console's signed verdict");
        }
    }

    private static AuditSignature Signer(string keyId, string key) => new(Options.Create(new AuditSigningOptions { KeyId = keyId, Key = key }));

    private static byte[] Bytes(AuditEvent audit) => JsonSerializer.SerializeToUtf8Bytes(audit, ContractsJsonContext.Default.AuditEvent);

    private static AuditEvent Verdict(string actor, string to) => new()
    {
        EventId = Guid.CreateVersion7(),
        OccurredAt = DateTimeOffset.UtcNow,
        Actor = actor,
        Action = "alert.status_changed",
        EntityType = "fraud_alert",
        EntityId = Guid.NewGuid().ToString(),
        Details = new JsonObject
        {
            ["from"] = "INVESTIGATING",
            ["to"] = to,
            ["assignee"] = "ana",
            ["transaction_id"] = $"tx-{Guid.NewGuid():N}",
            ["event_id"] = Guid.NewGuid().ToString(),
            ["model_name"] = "fraud-fasttree",
            ["model_version"] = "1",
            ["detected_at"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
        },
    };

    /// <summary>(event id, reason) of the dead letters from audit-events.</summary>
    private static List<(Guid EventId, string Reason)> ReadDeadLetters(PipelineFixture pipeline, int expected)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DeadLetters);
        var letters = new List<(Guid, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && letters.Count < expected)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message
                && message.Message.Headers.TryGetLastBytes("ss-dlq-original-topic", out var topic)
                && Encoding.UTF8.GetString(topic) == Topics.AuditEvents
                && message.Message.Headers.TryGetLastBytes("ss-dlq-reason", out var reason))
            {
                var id = JsonNode.Parse(message.Message.Value)!["event_id"]!.GetValue<Guid>();
                letters.Add((id, Encoding.UTF8.GetString(reason)));
            }
        }

        consumer.Close();
        return letters;
    }
}
