using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Kafka;

/// <summary>A topic as an operator sees it: partitions, messages held, and whether the broker has dropped any.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partitions">How many partitions it has.</param>
/// <param name="Messages">High minus low watermark, summed over partitions.</param>
/// <param name="Truncated">A partition's low watermark is above 0: old messages were deleted by retention.</param>
public sealed record TopicSummary(string Topic, int Partitions, long Messages, bool Truncated)
{
    /// <summary>Reads every topic of the cluster; one metadata request and one watermark query per partition.</summary>
    public static IReadOnlyList<TopicSummary> ReadAll(string bootstrapServers, TimeSpan timeout, ILogger logger)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).LogTo(logger).Build();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "stream-sentinel-describe",
            EnableAutoCommit = false,
        }).LogTo(logger).Build();
        var metadata = admin.GetMetadata(timeout);
        return [.. metadata.Topics
            .Where(t => !t.Topic.StartsWith("__", StringComparison.Ordinal))
            .OrderBy(t => t.Topic, StringComparer.Ordinal)
            .Select(t =>
            {
                var watermarks = t.Partitions
                    .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(t.Topic, p.PartitionId), timeout))
                    .ToList();
                return new TopicSummary(
                    t.Topic,
                    t.Partitions.Count,
                    watermarks.Sum(w => w.High.Value - w.Low.Value),
                    watermarks.Any(w => w.Low.Value > 0));
            })];
    }
}
