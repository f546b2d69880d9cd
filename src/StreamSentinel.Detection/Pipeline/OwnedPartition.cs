using Confluent.Kafka;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// One input partition this worker owns: its users' state in memory, how far it is applied, checkpointed and
/// committed, and the transactions read but not yet applied (in offset order).
/// </summary>
/// <remarks>Touched only by the consumer thread, apart from <see cref="Outstanding"/>.</remarks>
internal sealed class OwnedPartition(TopicPartition partition)
{
    private int _outstanding;
    private bool _released;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Null until this worker has claimed the partition's state in Redis; nothing is applied before.</summary>
    public PartitionClaim? Claim { get; set; }

    /// <summary>Transactions up to this offset are in the stored state, and their results published: read again, they are skipped.</summary>
    public long RestoredOffset { get; set; } = -1;

    /// <summary>The highest offset this owner may publish a result for (the limit its last checkpoint recorded).</summary>
    public long Limit { get; set; } = -1;

    /// <summary>The last offset applied in memory (or skipped as already applied).</summary>
    public long Applied { get; set; } = -1;

    /// <summary>The last offset Redis holds as applied.</summary>
    public long Checkpointed { get; set; } = -1;

    /// <summary>The offset Kafka holds as this group's position (one past the last committed message); -1 when not known.</summary>
    public long Committed { get; set; } = -1;

    public Dictionary<string, ResidentUser> Users { get; } = new(StringComparer.Ordinal);

    public List<ResidentUser> Dirty { get; } = [];

    /// <summary>Read from Kafka, not applied yet: waiting for the claim, for users to be read from Redis, or for the limit to move.</summary>
    public Queue<ConsumeResult<byte[]?, byte[]?>> Backlog { get; } = new();

    /// <summary>
    /// Set on the consumer thread when the partition leaves this worker (revoked, lost or fenced): a checkpoint still
    /// waiting to be written must not write it any more, or it could land after the last one and set it back.
    /// </summary>
    public bool Released
    {
        get => Volatile.Read(ref _released);
        set => Volatile.Write(ref _released, value);
    }

    /// <summary>Paused by this worker (a backlog it cannot take now); resumed once it can.</summary>
    public bool Paused { get; set; }

    /// <summary>Results and dead letters handed to the producer and not acknowledged yet.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public void Sent() => Interlocked.Increment(ref _outstanding);

    public void Acknowledged() => Interlocked.Decrement(ref _outstanding);

    /// <summary>A result for this offset may already be on the results topic: an earlier owner could have published it.</summary>
    public bool MayRepeat(long offset) => Claim is { } claim && offset <= claim.PreviousLimit;
}
