using System.ComponentModel.DataAnnotations;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// The key the console signs its audit events with and the persistence fleet checks them with (section
/// <c>AuditSigning</c>; <c>SS_AUDIT_SIGNING_KEY_ID</c> and <c>SS_AUDIT_SIGNING_KEY</c> from the local stack). Both sides
/// must hold the same pair; keep the key in a secret store.
/// </summary>
public sealed class AuditSigningOptions : IValidatableObject
{
    public const string SectionName = "AuditSigning";

    public const int ShortestKey = 32;

    /// <summary>Names the key in every signed message (header <c>ss-audit-key-id</c>), so a new key can be told from an old one.</summary>
    [Required(ErrorMessage = "AuditSigning:KeyId is required (set SS_AUDIT_SIGNING_KEY_ID, e.g. from .stack/env).")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "AuditSigning:KeyId must be 1 to 64 letters, digits, '.', '_' or '-'.")]
    public string KeyId { get; set; } = "";

    /// <summary>The shared secret of the HMAC-SHA256 (its UTF-8 bytes), 32 characters or more of random, e.g. <c>openssl rand -hex 32</c>.</summary>
    public string Key { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Key.Length < ShortestKey)
        {
            yield return new ValidationResult(
                $"AuditSigning:Key needs {ShortestKey} characters or more (set SS_AUDIT_SIGNING_KEY, e.g. from .stack/env; make one with: openssl rand -hex 32).",
                [nameof(Key)]);
        }
        else if (Key.Contains("change-me", StringComparison.OrdinalIgnoreCase) || PlaceholderSecrets.IsPlaceholder(Key))
        {
            yield return new ValidationResult(PlaceholderSecrets.Refusal("AuditSigning:Key"), [nameof(Key)]);
        }
    }
}
