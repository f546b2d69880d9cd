using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;

namespace StreamSentinel.IntegrationTests.Kafka;

/// <summary>
/// The Kafka the pipeline relies on: the stack's broker has the topics, and a broker (here one of our own, hosted in
/// this process, so that the test is isolated) keeps keyed order per partition and resumes a group from its
/// committed offsets.
/// </summary>
public sealed class DevelopmentBrokerTests
{
    [Test]
    public void Stack_broker_has_every_topic_with_its_partitions()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = TestServers.Current.Kafka }).Build();

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        var partitions = metadata.Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(partitions.Keys, Is.SupersetOf(Topics.All));
            Assert.That(partitions[Topics.Transactions], Is.EqualTo(partitions[Topics.DetectionResults]));
            Assert.That(partitions[Topics.DetectionResults], Is.GreaterThanOrEqualTo(new DevelopmentBrokerOptions().PipelinePartitions));
            Assert.That(metadata.Brokers, Is.Not.Empty);
        }
    }

    [Test]
    public void Topics_are_created_with_the_requested_partition_counts()
    {
        using var broker = DevelopmentBroker.Start(1, new Dictionary<string, int> { ["a"] = 7, ["b"] = 2 }, NullLogger.Instance);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        Assert.That(
            metadata.Topics.Where(t => t.Topic is "a" or "b").ToDictionary(t => t.Topic, t => t.Partitions.Count),
            Is.EqualTo(new Dictionary<string, int> { ["a"] = 7, ["b"] = 2 }));
    }

    [Test]
    public async Task Consumer_group_resumes_exactly_after_its_committed_offsets()
    {
        using var broker = DevelopmentBroker.Start(1, new Dictionary<string, int> { ["orders"] = 4 }, NullLogger.Instance);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync("orders", new Message<string, string> { Key = $"user-{i % 10}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
        }

        var first = ConsumeAndCommit(broker.BootstrapServers, count: 60);
        var second = ConsumeAndCommit(broker.BootstrapServers, count: 40);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Concat(second).Select(m => m.Value).Order(), Is.EqualTo(Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order()));
            Assert.That(first.Concat(second).GroupBy(m => m.Key).All(g => g.Select(m => m.Partition).Distinct().Count() == 1), Is.True, "a key stays on one partition");
        }
    }

    private static List<(string Key, string Value, int Partition)> ConsumeAndCommit(string bootstrapServers, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "resume-test",
            // KIP-848 groups: the next member gets the partitions at once. A classic group on the mock waits out
            // the departed member's session (45 s by default) even after a clean Close.
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("orders");
        var received = new List<(string, string, int)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            received.Add((result.Message.Key, result.Message.Value, result.Partition.Value));
            consumer.Commit(result);
        }

        consumer.Close();
        return received;
    }
}
