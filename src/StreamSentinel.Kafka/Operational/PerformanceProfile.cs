namespace StreamSentinel.Kafka.Operational;

/// <summary>What a worker's own instruments mean in a <see cref="Contracts.PerformanceSnapshot"/>.</summary>
/// <param name="MeterName">The worker's meter; only instruments of this process's meter factory are read.</param>
/// <param name="Instruments">Instrument name to the snapshot field it feeds.</param>
public sealed record PerformanceProfile(string MeterName, IReadOnlyDictionary<string, SnapshotField> Instruments);

public enum SnapshotField
{
    /// <summary>A counter of messages taken in.</summary>
    MessagesIn,

    /// <summary>A counter of messages finished.</summary>
    MessagesOut,

    /// <summary>A histogram of batch sizes (each recording is one batch).</summary>
    BatchSize,

    /// <summary>A histogram, in seconds, of per-batch writes.</summary>
    FlushLatency,

    /// <summary>A histogram, in seconds, from intake to the stage's output.</summary>
    EndToEndLatency,

    /// <summary>A counter of failed attempts that will be retried.</summary>
    Errors,

    /// <summary>A counter of dead-lettered messages.</summary>
    DeadLettered,

    /// <summary>An observable gauge of lag per partition; the snapshot carries the sum.</summary>
    ConsumerLag,
}
