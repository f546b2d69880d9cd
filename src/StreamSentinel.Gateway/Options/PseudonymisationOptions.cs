using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Gateway.Options;

/// <summary>
/// Keyed pseudonymisation of card, device and IP at the gateway (section <c>Gateway:Pseudonymisation</c>, issue 18):
/// off unless a key is set. Kept out of <see cref="GatewayOptions"/> so that the key never appears in the
/// configuration the gateway describes in its audit events.
/// </summary>
public sealed class PseudonymisationOptions : IValidatableObject
{
    public const string SectionName = "Gateway:Pseudonymisation";

    /// <summary>The HMAC-SHA256 key, base64, 32 bytes or more (<c>Gateway__Pseudonymisation__Key</c>); empty: off.</summary>
    public string Key { get; set; } = "";

    public bool Enabled => Key.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        var bytes = new byte[Key.Length];
        if (!Convert.TryFromBase64String(Key, bytes, out var length) || length < 32)
        {
            yield return new ValidationResult(
                "Gateway:Pseudonymisation:Key must be base64 of 32 bytes or more (e.g. `openssl rand -base64 32`), or empty to leave identifiers as sent.",
                [nameof(Key)]);
        }
    }
}
