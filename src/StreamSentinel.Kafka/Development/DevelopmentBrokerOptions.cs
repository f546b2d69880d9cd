using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Kafka.Development;

/// <summary>Settings of the development broker (section <c>DevBroker</c>).</summary>
public sealed class DevelopmentBrokerOptions
{
    public const string SectionName = "DevBroker";

    [Range(1, 9)]
    public int Brokers { get; set; } = 3;

    /// <summary>Partitions of <c>transactions</c> and <c>fraud-detection-results</c>: the ceiling on workers per group.</summary>
    [Range(1, 1024)]
    public int PipelinePartitions { get; set; } = 12;

    /// <summary>Partitions of the dead-letter, metrics and audit topics.</summary>
    [Range(1, 1024)]
    public int AuxiliaryPartitions { get; set; } = 3;

    /// <summary>
    /// Session timeout the mock applies to KIP-848 consumer groups. Its default (45 s) makes fail-over after a
    /// crashed worker take about 31 s; 6 s brings it to about 7 s.
    /// </summary>
    [Range(1000, 300_000)]
    public int GroupSessionTimeoutMs { get; set; } = 6000;

    /// <summary>Where to write the bootstrap servers once the topics exist (written to a temporary file, then renamed).</summary>
    public string? BootstrapFile { get; set; }
}
