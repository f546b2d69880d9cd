using System.ComponentModel.DataAnnotations;
using StreamSentinel.Hosting.Resilience;

namespace StreamSentinel.Detection.Options;

/// <summary>Settings of the detection worker (section <c>Detection</c>).</summary>
public sealed class DetectionOptions : IValidatableObject
{
    public const string SectionName = "Detection";

    [Required]
    public string ConsumerGroup { get; set; } = "stream-sentinel-detection";

    /// <summary>This instance's name, in logs and dead-letter headers.</summary>
    [Required]
    public string Instance { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// Most transactions taken per batch from what Kafka has already fetched. Nothing waits for a batch to fill: a
    /// batch is whatever is there, so a quiet stream gets small batches and low latency.
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 2000;

    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The model file written by <c>stream-sentinel train</c>; its metadata file sits beside it.</summary>
    [Required]
    public string ModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "models", "fraud-model.zip");

    /// <summary>
    /// How often the state's changelog is written to Redis (every user changed since, and the offsets applied), and
    /// the offsets committed to Kafka after it. Results are published as they are made, whatever this is.
    /// </summary>
    [Range(10, 60_000)]
    public int CheckpointIntervalMs { get; set; } = 200;

    /// <summary>
    /// How many transactions of a partition may be published past its last checkpoint. It bounds what a successor
    /// marks as a possible repeat after a crash, and what a Redis outage lets pile up before the partition pauses.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxUncheckpointed { get; set; } = 10_000;

    /// <summary>Results and dead letters handed to the producer and not yet acknowledged, over all partitions, before reading pauses.</summary>
    [Range(1000, 1_000_000)]
    public int MaxInFlight { get; set; } = 100_000;

    /// <summary>A user without payments for this long leaves memory once Redis holds its state.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int IdleUserSeconds { get; set; } = 600;

    /// <summary>Most users kept in memory; beyond it, the least recently active ones that Redis holds leave first.</summary>
    [Range(1000, 100_000_000)]
    public int MaxResidentUsers { get; set; } = 1_000_000;

    [Range(1, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    [Range(1, 600_000)]
    public int RetryMaxDelayMs { get; set; } = 5000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RetryBackoff.Validate(SectionName, RetryBaseDelayMs, RetryMaxDelayMs);
}
