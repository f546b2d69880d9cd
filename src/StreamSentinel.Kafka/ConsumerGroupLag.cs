using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Kafka;

/// <summary>How far a consumer group's committed offsets are behind the end of a topic, per partition.</summary>
public sealed record ConsumerGroupLag(string Topic, string Group, IReadOnlyList<(int Partition, long Committed, long End)> Partitions)
{
    public long Total => Partitions.Sum(p => p.End - Math.Max(p.Committed, 0));

    /// <summary>Reads the committed offsets without joining the group (no subscription, no commits).</summary>
    public static ConsumerGroupLag Read(string bootstrapServers, string topic, string group, TimeSpan timeout, ILogger logger)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).LogTo(logger).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, timeout).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = consumer.Committed(partitions, timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return new ConsumerGroupLag(topic, group, [.. partitions.Select(p =>
        {
            var watermarks = consumer.QueryWatermarkOffsets(p, timeout);
            // No commit yet: the group would start at the earliest message the broker still has.
            var position = committed.TryGetValue(p.Partition.Value, out var offset) && offset >= 0 ? offset : watermarks.Low.Value;
            return (p.Partition.Value, position, watermarks.High.Value);
        })]);
    }
}
