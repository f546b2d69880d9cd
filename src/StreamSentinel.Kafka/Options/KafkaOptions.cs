using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace StreamSentinel.Kafka.Options;

/// <summary>How to reach Kafka. Everything in the fleet sees the cluster only through <see cref="BootstrapServers"/>.</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated host:port list (environment: <c>SS_KAFKA</c> or <c>Kafka__BootstrapServers</c>).</summary>
    [Required(ErrorMessage = "Kafka:BootstrapServers is required (set SS_KAFKA, e.g. from .stack/env).")]
    [RegularExpression(@"^[^\s,]+:\d+(,[^\s,]+:\d+)*$", ErrorMessage = "Kafka:BootstrapServers must be a comma-separated list of host:port.")]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prefix of every client.id, so the broker's logs tell the workers apart.</summary>
    public string ClientIdPrefix { get; set; } = "stream-sentinel";

    /// <summary>TLS and SASL (section <c>Kafka:Security</c>); empty: plaintext, as the development broker speaks.</summary>
    public KafkaSecurityOptions Security { get; set; } = new();

    /// <summary>
    /// <paramref name="config"/> with <see cref="Security"/> applied. Every producer, consumer and admin client the fleet
    /// builds goes through here, so a secured cluster needs configuration only.
    /// </summary>
    public T Secure<T>(T config)
        where T : ClientConfig
    {
        Security.ApplyTo(config);
        return config;
    }

    // DataAnnotations does not look inside nested objects: the security section is checked here.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Security.Validate(validationContext);
}
