namespace StreamSentinel.Contracts;

/// <summary>
/// What one worker did during one interval, published to <c>performance-metrics</c> and stored once in ClickHouse
/// <c>performance_metrics</c>. Counts are for the interval alone, so that they add up across snapshots.
/// </summary>
public sealed record PerformanceSnapshot
{
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public Guid SnapshotId { get; init; }

    /// <summary>The worker's instance name (unique in the fleet while it runs).</summary>
    public string WorkerId { get; init; } = "";

    /// <summary>detection, persistence or gateway; see <see cref="WorkerKinds"/>.</summary>
    public string WorkerKind { get; init; } = "";

    public DateTimeOffset IntervalStart { get; init; }

    public DateTimeOffset IntervalEnd { get; init; }

    /// <summary>Messages the worker took in: transactions consumed or accepted, results consumed.</summary>
    public long MessagesIn { get; init; }

    /// <summary>Messages it finished: results published, results stored and committed, transactions produced.</summary>
    public long MessagesOut { get; init; }

    public long Batches { get; init; }

    public double BatchSizeAvg { get; init; }

    public long BatchSizeMax { get; init; }

    /// <summary>
    /// The stage's per-batch write: the Redis state update (detection), one table insert (persistence), Kafka's
    /// acknowledgement (gateway). Null when nothing was written in the interval.
    /// </summary>
    public LatencySummary? FlushLatencyMs { get; init; }

    /// <summary>From intake to the stage's output; null when the stage measures none or nothing passed.</summary>
    public LatencySummary? EndToEndLatencyMs { get; init; }

    /// <summary>Messages behind the end of the worker's partitions at the end of the interval; null for a producer-only worker.</summary>
    public long? ConsumerLag { get; init; }

    /// <summary>Failed attempts that will be tried again (batches, deliveries).</summary>
    public long Errors { get; init; }

    public long DeadLettered { get; init; }

    /// <summary>Operational messages (snapshots, audit events) this worker dropped because Kafka could not take them.</summary>
    public long Dropped { get; init; }

    public const int CurrentSchemaVersion = 1;
}

/// <summary>Latency percentiles over an interval, in milliseconds, from every value of the interval (HdrHistogram, within 0.1 %).</summary>
public sealed record LatencySummary(long Count, double P50, double P95, double P99, double Max);

public static class WorkerKinds
{
    public const string Detection = "detection";
    public const string Persistence = "persistence";
    public const string Gateway = "gateway";
    public const string Console = "console";

    public static IReadOnlyList<string> All { get; } = [Detection, Persistence, Gateway, Console];
}
