namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// A consistent cut of the state, taken between two batches on the consumer thread: per partition, the users changed
/// since the last cut (already serialized, so later batches cannot leak into it) and the offset applied up to. It is
/// written to Redis once every result it covers is acknowledged (<see cref="Window"/>), and committed to Kafka after.
/// </summary>
internal sealed class Checkpoint(DeliveryWindow window, List<PartitionCheckpoint> partitions)
{
    public DeliveryWindow Window { get; } = window;

    public List<PartitionCheckpoint> Partitions { get; } = partitions;

    /// <summary>The write in progress; null when a failed one waits to be tried again.</summary>
    public Task? Writing { get; set; }

    public long RetryAt { get; set; }
}

/// <summary>One partition's part of a <see cref="Checkpoint"/>.</summary>
internal sealed class PartitionCheckpoint(OwnedPartition partition, long epoch, long applied, List<ResidentUser> users, List<KeyValuePair<string, byte[]>> states)
{
    public OwnedPartition Partition { get; } = partition;

    public long Epoch { get; } = epoch;

    public long Applied { get; } = applied;

    /// <summary>The users written, to mark saved once the write succeeds.</summary>
    public List<ResidentUser> Users { get; } = users;

    public List<KeyValuePair<string, byte[]>> States { get; } = states;

    /// <summary>After the write: the owner's new publishing limit, or null when another owner had claimed the partition.</summary>
    public long? NewLimit { get; set; }
}
