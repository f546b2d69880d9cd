using Confluent.Kafka;
using StreamSentinel.Kafka.DeadLetters;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>What the consumer loop needs of a batch it holds between consumption and commit.</summary>
public interface IHeldBatch
{
    IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Messages { get; }

    /// <summary>Messages the store cannot take (unreadable, or refused by a database), published before the commit.</summary>
    List<DeadLetter> DeadLetters { get; }

    bool DeadLettersPublished { get; set; }

    int Attempts { get; set; }

    /// <summary>Rows the batch writes to PostgreSQL (alerts, audit entries): what its transaction's length grows with.</summary>
    int PostgresRows { get; }

    /// <summary>When its first message was consumed (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>; 0: unknown).</summary>
    long FirstConsumedTimestamp { get; set; }
}

/// <summary>
/// One stream the persistence fleet stores: which topics and group, how a batch of messages is read, and how it is
/// written. <see cref="WriteAsync"/> must be safe to call again on the same batch after any failure, and must store
/// each message once even when a batch is read again after a crash or a rebalance.
/// </summary>
public interface IBatchStore<TBatch>
    where TBatch : class, IHeldBatch
{
    /// <summary>A short name for logs and thread names: <c>results</c>, <c>operational</c>.</summary>
    string Name { get; }

    IReadOnlyList<string> Topics { get; }

    string ConsumerGroup { get; }

    TBatch Parse(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages);

    Task WriteAsync(TBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// One batch of <paramref name="earlier"/>'s messages followed by <paramref name="later"/>'s: both parsed, neither
    /// written yet.
    /// </summary>
    TBatch Merge(TBatch earlier, TBatch later);

    /// <summary>The part of <paramref name="batch"/> whose partitions this worker still owns, with its progress.</summary>
    TBatch Without(TBatch batch, IReadOnlyCollection<TopicPartition> revoked);

    void Assigned(IReadOnlyCollection<TopicPartition> partitions);

    void Revoked(IReadOnlyCollection<TopicPartition> partitions);
}
