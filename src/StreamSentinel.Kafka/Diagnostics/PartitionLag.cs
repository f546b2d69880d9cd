using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace StreamSentinel.Kafka.Diagnostics;

/// <summary>
/// A consumer's lag per assigned partition, measured after each commit and exported as the gauge
/// <c>messaging.kafka.consumer.lag</c> (what performance snapshots sum and dashboards chart).
/// </summary>
public sealed class PartitionLag
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _lag = new();

    public PartitionLag(Meter meter, string description)
    {
        ArgumentNullException.ThrowIfNull(meter);
        meter.CreateObservableGauge(
            "messaging.kafka.consumer.lag",
            () => _lag.Select(p => new Measurement<long>(
                p.Value,
                new KeyValuePair<string, object?>("messaging.destination.name", p.Key.Topic),
                new KeyValuePair<string, object?>("messaging.destination.partition.id", p.Key.Partition))),
            "{message}",
            description);
    }

    /// <summary>The offset to commit on each partition of <paramref name="messages"/>: one past the last one read.</summary>
    public static List<TopicPartitionOffset> NextOffsets(IEnumerable<ConsumeResult<byte[]?, byte[]?>> messages) =>
        [.. messages.GroupBy(m => m.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(m => m.Offset.Value) + 1))];

    /// <summary>Records, for each committed partition, how far its end is beyond the committed offset (local watermarks, no request).</summary>
    public void Committed(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartitionOffset> committed)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(committed);
        foreach (var partition in committed)
        {
            var watermarks = consumer.GetWatermarkOffsets(partition.TopicPartition);
            if (watermarks.High != Offset.Unset)
            {
                _lag[(partition.Topic, partition.Partition.Value)] = Math.Max(0, watermarks.High.Value - partition.Offset.Value);
            }
        }
    }

    /// <summary>Forgets partitions this consumer no longer owns.</summary>
    public void Revoked(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (var partition in partitions)
        {
            _lag.TryRemove((partition.Topic, partition.Partition.Value), out _);
        }
    }
}
