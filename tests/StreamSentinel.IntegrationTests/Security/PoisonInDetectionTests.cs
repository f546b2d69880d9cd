using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Detection;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Simulation;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>Issue 18, item 5: a message that fails deterministically in detection is dead-lettered alone; the worker never stalls.</summary>
public sealed class PoisonInDetectionTests
{
    [Test]
    public async Task A_payment_whose_features_break_the_stores_invariant_is_dead_lettered_and_the_rest_of_its_batch_gets_results()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 1);
        await pipeline.StartDetectionWorkerAsync("d-poison", batchSize: 500);
        var traffic = new TransactionSimulator(new SimulationOptions { Seed = 185, Users = 20 }).Generate(40).Select(s => s.Transaction).ToList();
        // Each payment is valid (under 10^14), but the second makes the user's hour sum 1.2 * 10^14: a feature the stores'
        // Decimal(18, 4) cannot hold, so the result would break the contract. Valid JSON, valid transaction, poison result.
        var time = DateTimeOffset.UtcNow.AddMinutes(-30);
        var huge = Enumerable.Range(0, 2).Select(i => (traffic[0] with
        {
            TransactionId = $"huge-{i}", UserId = "u-poison", Amount = 60_000_000_000_000m, Currency = "EUR", EventTime = time.AddMinutes(i),
        }).WithEventId()).ToList();
        // One batch: the poison in the middle of ordinary traffic, on the same (single) partition.
        Produce(pipeline, [.. traffic[..20], .. huge, .. traffic[20..]]);

        var results = DetectionFleetTests.ReadResults(pipeline, r => r.Count >= 41);
        var letters = ReadDeadLetters(pipeline);
        Produce(pipeline, [(traffic[0] with { TransactionId = "after-the-poison", EventTime = traffic[^1].EventTime.AddMinutes(1) }).WithEventId()]);
        var after = DetectionFleetTests.ReadResults(pipeline, r => r.Count >= 42);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.EventId), Is.EquivalentTo(traffic.Select(t => t.EventId).Append(huge[0].EventId)), "every other transaction of the batch got its result, once");
            Assert.That(letters, Has.Count.EqualTo(1));
            Assert.That(letters[0].Reason, Is.EqualTo("invalid_result"));
            Assert.That(letters[0].Detail, Does.Contain("features").And.Contain("amount sum"));
            Assert.That(letters[0].TransactionId, Is.EqualTo("huge-1"), "the original message, unchanged, in the dead letter");
            Assert.That(after.Select(r => r.TransactionId), Does.Contain("after-the-poison"), "the partition goes on after it");
        }
    }

    private static void Produce(PipelineFixture pipeline, IEnumerable<Transaction> transactions)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers, LingerMs = 50 }).Build();
        foreach (var transaction in transactions)
        {
            producer.Produce(Topics.Transactions, new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(transaction.UserId),
                Value = JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction),
            });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    private static List<(string Reason, string Detail, string TransactionId)> ReadDeadLetters(PipelineFixture pipeline)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DeadLetters);
        var letters = new List<(string, string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline && (letters.Count == 0 || DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message)
            {
                var transaction = JsonSerializer.Deserialize(message.Message.Value, ContractsJsonContext.Default.Transaction)!;
                letters.Add((
                    Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("ss-dlq-reason")),
                    Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("ss-dlq-detail")),
                    transaction.TransactionId));
                quietSince = DateTime.UtcNow;
            }
        }

        consumer.Close();
        return letters;
    }
}
