using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Detection.Options;

/// <summary>Settings of the detection worker (section <c>Detection</c>).</summary>
public sealed class DetectionOptions
{
    public const string SectionName = "Detection";

    [Required]
    public string ConsumerGroup { get; set; } = "stream-sentinel-detection";

    /// <summary>This instance's name, in logs and dead-letter headers.</summary>
    [Required]
    public string Instance { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// Transactions per batch. Small, because a batch's latency is every transaction's latency; large enough that
    /// one Redis round trip and one producer flush serve many transactions.
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Longest wait for a batch to fill, in ms.</summary>
    [Range(1, 60_000)]
    public int BatchWaitMs { get; set; } = 20;

    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The model file written by <c>stream-sentinel train</c>; its metadata file sits beside it.</summary>
    [Required]
    public string ModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "models", "fraud-model.zip");

    [Range(1, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    [Range(1, 600_000)]
    public int RetryMaxDelayMs { get; set; } = 5000;
}
