using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Kafka.Operational;

/// <summary>Settings of the operational streams every worker publishes (section <c>Operational</c>).</summary>
public sealed class OperationalOptions
{
    public const string SectionName = "Operational";

    /// <summary>Off, a worker publishes neither snapshots nor audit events (its /metrics stays).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a performance snapshot is published.</summary>
    [Range(1, 3600)]
    public int SnapshotIntervalSeconds { get; set; } = 10;

    /// <summary>Messages waiting for Kafka; beyond this they are dropped and counted, never waited for.</summary>
    [Range(16, 1_000_000)]
    public int BufferCapacity { get; set; } = 10_000;

    /// <summary>How long Kafka may take to accept one; after that it is dropped and counted.</summary>
    [Range(1000, 600_000)]
    public int MessageTimeoutMs { get; set; } = 30_000;
}
