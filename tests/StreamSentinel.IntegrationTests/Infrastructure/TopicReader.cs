using Confluent.Kafka;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>What a test reads a topic with: a consumer of a group of its own, from the earliest offset, never committing.</summary>
internal static class TopicReader
{
    public static IConsumer<byte[]?, byte[]?> FromStart(string bootstrapServers, string topic)
    {
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-reader-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }
}
