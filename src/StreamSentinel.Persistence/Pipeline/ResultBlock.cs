using System.Diagnostics;
using Confluent.Kafka;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// Poll batches whose PostgreSQL stage is done, on their way to ClickHouse as one large block (issue 17). It keeps
/// their results and, of their messages, only what the commit needs (the next offset of each partition and how many
/// there were), so that a block of 150,000 results does not also hold 150,000 message payloads.
/// </summary>
public sealed class ResultBlock
{
    private readonly Dictionary<TopicPartition, long> _nextOffsets = [];

    /// <summary>The block's results as one batch, already written to PostgreSQL; it carries the ClickHouse progress.</summary>
    public PendingBatch Batch { get; private set; } = new([]) { PostgresWritten = true };

    /// <summary>Messages the block covers (results, and dead letters already published).</summary>
    public int Messages { get; private set; }

    public int Rows => Batch.Results.Count;

    /// <summary>When its first batch joined (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long OpenedTimestamp { get; private set; } = Stopwatch.GetTimestamp();

    public int Attempts { get; set; }

    public bool IsEmpty => Messages == 0;

    /// <summary>Where each partition's committed offset may move once the block is in ClickHouse.</summary>
    public IReadOnlyList<TopicPartitionOffset> NextOffsets => [.. _nextOffsets.Select(p => new TopicPartitionOffset(p.Key, p.Value))];

    /// <summary>Takes a batch whose PostgreSQL stage (and dead letters) are done.</summary>
    public void Add(PendingBatch written)
    {
        ArgumentNullException.ThrowIfNull(written);
        if (Messages == 0)
        {
            OpenedTimestamp = Stopwatch.GetTimestamp();
            Batch.WriteStartedAt = written.WriteStartedAt;
        }

        Batch.Results.AddRange(written.Results);
        foreach (var message in written.Messages)
        {
            var next = message.Offset.Value + 1;
            if (!_nextOffsets.TryGetValue(message.TopicPartition, out var known) || known < next)
            {
                _nextOffsets[message.TopicPartition] = next;
            }
        }

        Messages += written.Messages.Count;
    }

    /// <summary>True if the block holds anything of <paramref name="partitions"/>.</summary>
    public bool Touches(IReadOnlyCollection<TopicPartition> partitions) => _nextOffsets.Keys.Any(partitions.Contains);

    /// <summary>Drops what belongs to partitions this worker no longer owns; their new owner reads it again.</summary>
    public int Drop(IReadOnlyCollection<TopicPartition> revoked)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        if (!Touches(revoked))
        {
            return 0;
        }

        var before = Rows;
        Batch = Batch.Without(revoked);
        foreach (var partition in revoked)
        {
            _nextOffsets.Remove(partition);
        }

        var dropped = before - Rows;
        // Messages of the kept partitions are not known one by one any more: count what is left as its results.
        Messages = _nextOffsets.Count == 0 ? 0 : Math.Max(Rows, Messages - dropped);
        return dropped;
    }
}
