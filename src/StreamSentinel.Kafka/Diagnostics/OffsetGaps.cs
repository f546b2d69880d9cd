using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Kafka.Diagnostics;

/// <summary>
/// Notices messages a consumer never got (issue 17, item 7). The fleet's topics are written by idempotent,
/// non-transactional producers and never compacted, so a partition's offsets have no holes: a message beyond the
/// offset expected next on its partition, or a first message beyond the group's committed offset, means the messages
/// between were deleted (retention, the development broker's ~5 MiB per partition) before anyone read them. Exported
/// as the counter <c>stream_sentinel.kafka.skipped_messages</c>; the worker also records each gap as an audit event,
/// which <c>verify</c> reports as loss.
/// </summary>
/// <remarks>A topic written with transactions would carry commit markers at offsets no message has: that is not a gap
/// this class can tell apart, and none of the fleet's producers uses transactions.</remarks>
public sealed partial class OffsetGaps
{
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<TopicPartition, long> _next = [];
    private readonly HashSet<TopicPartition> _awaiting = [];
    private readonly Counter<long> _skipped;

    public OffsetGaps(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _skipped = meter.CreateCounter<long>(
            "stream_sentinel.kafka.skipped_messages", "{message}", "Messages deleted from Kafka before this consumer group read them: lost.");
    }

    /// <summary>
    /// Newly assigned partitions: nothing is expected of them until <see cref="Committed"/> says where the group stands.
    /// The worker asks the broker when a first message of one arrives, not in the rebalance callback: asking there, while
    /// the assignment was being applied, made a two-worker fleet skip operational messages (the AppHost test, two runs of
    /// two; none without it).
    /// </summary>
    public void Assigned(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_next)
        {
            foreach (var partition in partitions)
            {
                _next.Remove(partition);
                _awaiting.Add(partition);
            }
        }
    }

    /// <summary>True when <paramref name="partition"/> was assigned and the group's committed offset is not known yet.</summary>
    public bool AwaitsCommitted(TopicPartition partition)
    {
        lock (_next)
        {
            return _awaiting.Contains(partition);
        }
    }

    /// <summary>The group's committed offsets (negative: nothing committed, or unknown: nothing expected).</summary>
    public void Committed(IEnumerable<TopicPartitionOffset> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        lock (_next)
        {
            foreach (var partition in committed)
            {
                _awaiting.Remove(partition.TopicPartition);
                if (partition.Offset.Value >= 0)
                {
                    _next[partition.TopicPartition] = partition.Offset.Value;
                }
                else
                {
                    _next.Remove(partition.TopicPartition);
                }
            }
        }
    }

    /// <summary>
    /// What a worker does with each message it consumes: on a partition's first message since its assignment, asks the
    /// broker where the group stands (only that partition: its fetch has started from there, others may still be
    /// asking); then a gap before the message is logged as an error and recorded as a <c>messages.skipped</c> audit
    /// event of <paramref name="group"/>, and returned.
    /// </summary>
    public OffsetGap? Notice(
        IConsumer<byte[]?, byte[]?> consumer, ConsumeResult<byte[]?, byte[]?> message, IOperationalEvents events, string group, string member, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(message);
        if (AwaitsCommitted(message.TopicPartition))
        {
            Committed(CommittedOffsets(consumer, message.TopicPartition, logger));
        }

        var gap = Observe(message);
        if (gap is { } skipped)
        {
            MessagesSkipped(logger, skipped.Count, skipped.Topic, skipped.Partition, skipped.FirstMissing, skipped.LastMissing, group);
            events.MessagesSkipped(group, member, skipped);
        }

        return gap;
    }

    /// <summary>Takes a consumed message; returns the offsets skipped before it, if any.</summary>
    public OffsetGap? Observe(ConsumeResult<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var offset = message.Offset.Value;
        OffsetGap? gap = null;
        lock (_next)
        {
            // Only forward: a message read again (a seek back after a failed write) is no gap.
            if (_next.TryGetValue(message.TopicPartition, out var expected) && offset > expected)
            {
                gap = new OffsetGap(message.Topic, message.Partition.Value, expected, offset - 1);
            }

            _next[message.TopicPartition] = offset + 1;
        }

        if (gap is { } skipped)
        {
            _skipped.Add(
                skipped.Count,
                new KeyValuePair<string, object?>("messaging.destination.name", skipped.Topic),
                new KeyValuePair<string, object?>("messaging.destination.partition.id", skipped.Partition));
        }

        return gap;
    }

    private static List<TopicPartitionOffset> CommittedOffsets(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, ILogger logger)
    {
        try
        {
            return consumer.Committed([partition], CommittedTimeout);
        }
        catch (KafkaException e)
        {
            // A gap at the start of this partition goes unnoticed (asked once: unknown counts as nothing committed);
            // gaps later on are still seen.
            CommittedUnknown(logger, partition.Topic, partition.Partition.Value, e.Error.Reason);
            return [new TopicPartitionOffset(partition, Offset.Unset)];
        }
    }

    [LoggerMessage(200, LogLevel.Error, "Lost: {Count} messages of {Topic}[{Partition}] (offsets {First}..{Last}) were deleted from Kafka before group {Group} read them")]
    private static partial void MessagesSkipped(ILogger logger, long count, string topic, int partition, long first, long last, string group);

    [LoggerMessage(201, LogLevel.Warning, "Could not read the group's committed offset of {Topic}[{Partition}] ({Reason}); a gap at its start would go unnoticed")]
    private static partial void CommittedUnknown(ILogger logger, string topic, int partition, string reason);

    /// <summary>Forgets partitions this consumer no longer owns.</summary>
    public void Revoked(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_next)
        {
            foreach (var partition in partitions)
            {
                _next.Remove(partition);
                _awaiting.Remove(partition);
            }
        }
    }
}

/// <summary>Offsets <paramref name="FirstMissing"/> to <paramref name="LastMissing"/> of a partition, never read.</summary>
public readonly record struct OffsetGap(string Topic, int Partition, long FirstMissing, long LastMissing)
{
    public long Count => LastMissing - FirstMissing + 1;
}
