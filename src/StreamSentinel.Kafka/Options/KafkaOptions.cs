using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Kafka.Options;

/// <summary>How to reach Kafka. Everything in the fleet sees the cluster only through <see cref="BootstrapServers"/>.</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated host:port list (environment: <c>SS_KAFKA</c> or <c>Kafka__BootstrapServers</c>).</summary>
    [Required(ErrorMessage = "Kafka:BootstrapServers is required (set SS_KAFKA, e.g. from .stack/env).")]
    [RegularExpression(@"^[^\s,]+:\d+(,[^\s,]+:\d+)*$", ErrorMessage = "Kafka:BootstrapServers must be a comma-separated list of host:port.")]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prefix of every client.id, so the broker's logs tell the workers apart.</summary>
    public string ClientIdPrefix { get; set; } = "stream-sentinel";
}
