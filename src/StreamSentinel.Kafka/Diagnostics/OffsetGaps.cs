using System.Diagnostics.Metrics;
using Confluent.Kafka;

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
public sealed class OffsetGaps
{
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

    /// <summary>The partitions whose committed offset is not known yet.</summary>
    public IReadOnlyList<TopicPartition> AwaitingCommitted()
    {
        lock (_next)
        {
            return [.. _awaiting];
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
