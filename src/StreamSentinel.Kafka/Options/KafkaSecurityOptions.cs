using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace StreamSentinel.Kafka.Options;

/// <summary>
/// TLS and SASL for every Kafka client of the fleet (section <c>Kafka:Security</c>, e.g. <c>Kafka__Security__Protocol=SaslSsl</c>).
/// Left empty, clients speak plaintext without authentication, as the development broker does. Applied to each
/// producer, consumer and admin client through <see cref="KafkaOptions.Secure{T}"/>, so no client can be left out.
/// </summary>
public sealed class KafkaSecurityOptions : IValidatableObject
{
    /// <summary>librdkafka's <c>security.protocol</c>: Plaintext, Ssl, SaslPlaintext or SaslSsl.</summary>
    public SecurityProtocol? Protocol { get; set; }

    /// <summary>librdkafka's <c>sasl.mechanism</c>: ScramSha512 or ScramSha256 (or Plain over TLS only, OAuthBearer, Gssapi).</summary>
    public SaslMechanism? SaslMechanism { get; set; }

    /// <summary><c>sasl.username</c>: this kind of worker's own principal, so the broker's ACLs can tell workers apart.</summary>
    public string? SaslUsername { get; set; }

    /// <summary><c>sasl.password</c>; keep it in a secret store. Never logged or audited.</summary>
    public string? SaslPassword { get; set; }

    /// <summary><c>ssl.ca.location</c>: the PEM file of the CA that signed the brokers' certificates (empty: the system's).</summary>
    public string? CaLocation { get; set; }

    /// <summary>Whether the broker's host name must match its certificate (<c>ssl.endpoint.identification.algorithm=https</c>); keep it on.</summary>
    public bool VerifyHostName { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var sasl = Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        var tls = Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
        if (sasl && SaslMechanism is null)
        {
            yield return new ValidationResult($"Kafka:Security:SaslMechanism is required with Kafka:Security:Protocol={Protocol} (e.g. ScramSha512).", [nameof(SaslMechanism)]);
        }

        if (sasl && SaslMechanism is Confluent.Kafka.SaslMechanism.Plain or Confluent.Kafka.SaslMechanism.ScramSha256 or Confluent.Kafka.SaslMechanism.ScramSha512
            && (string.IsNullOrEmpty(SaslUsername) || string.IsNullOrEmpty(SaslPassword)))
        {
            yield return new ValidationResult($"Kafka:Security:SaslUsername and SaslPassword are required with SASL {SaslMechanism}.", [nameof(SaslUsername)]);
        }

        // PLAIN sends the password as it is: only inside TLS.
        if (SaslMechanism is Confluent.Kafka.SaslMechanism.Plain && Protocol is SecurityProtocol.SaslPlaintext)
        {
            yield return new ValidationResult("Kafka:Security: SASL PLAIN over SaslPlaintext would send the password in clear; use SaslSsl.", [nameof(SaslMechanism)]);
        }

        if (!sasl && (SaslMechanism is not null || !string.IsNullOrEmpty(SaslUsername) || !string.IsNullOrEmpty(SaslPassword)))
        {
            yield return new ValidationResult("Kafka:Security has SASL settings but Kafka:Security:Protocol is not SaslSsl or SaslPlaintext: they would be ignored.", [nameof(Protocol)]);
        }

        if (!string.IsNullOrEmpty(CaLocation) && (!tls || !File.Exists(CaLocation)))
        {
            yield return new ValidationResult(
                tls ? $"Kafka:Security:CaLocation: no file at '{CaLocation}'." : "Kafka:Security:CaLocation is set but Kafka:Security:Protocol is not Ssl or SaslSsl.",
                [nameof(CaLocation)]);
        }
    }

    /// <summary>Copies these settings into a client's configuration.</summary>
    public void ApplyTo(ClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Protocol is null)
        {
            return;
        }

        config.SecurityProtocol = Protocol;
        config.SaslMechanism = SaslMechanism;
        config.SaslUsername = string.IsNullOrEmpty(SaslUsername) ? null : SaslUsername;
        config.SaslPassword = string.IsNullOrEmpty(SaslPassword) ? null : SaslPassword;
        config.SslCaLocation = string.IsNullOrEmpty(CaLocation) ? null : CaLocation;
        config.SslEndpointIdentificationAlgorithm = VerifyHostName ? SslEndpointIdentificationAlgorithm.Https : SslEndpointIdentificationAlgorithm.None;
    }
}
