using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// Signs audit events for <c>audit-events</c> and checks them: HMAC-SHA256 with the shared <see cref="AuditSigningOptions"/>
/// key over the canonical payload, which is the key id, a line feed, then the message value exactly as published (the
/// event's UTF-8 JSON). The id and the signature travel as headers, so the event's JSON contract does not change.
/// </summary>
/// <remarks>
/// Whoever reaches the broker can publish to <c>audit-events</c>; what the console publishes (analysts' verdicts,
/// sign-ins) must be believed only when it carries the console's signature (issue 18, item 3).
/// </remarks>
public sealed class AuditSignature(IOptions<AuditSigningOptions> options)
{
    public const string KeyIdHeader = "ss-audit-key-id";
    public const string SignatureHeader = "ss-audit-signature";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.Key);
    private readonly string _keyId = options.Value.KeyId;

    /// <summary>Adds the key id and signature headers for <paramref name="value"/>.</summary>
    public Headers Sign(byte[] value) =>
        new()
        {
            { KeyIdHeader, Encoding.UTF8.GetBytes(_keyId) },
            { SignatureHeader, Encoding.ASCII.GetBytes(Convert.ToBase64String(Compute(_key, _keyId, value))) },
        };

    /// <summary>
    /// Whether the event must be signed to be believed: whatever the console or a person did (actions on alerts and
    /// sessions, whatever the actor claims; and every actor that is not one of the fleet's own workers).
    /// </summary>
    public static bool Required(AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var kind = audit.Actor.Split('/', 2)[0];
        return audit.Action.StartsWith("alert.", StringComparison.Ordinal)
            || audit.Action.StartsWith("session.", StringComparison.Ordinal)
            || kind is not (WorkerKinds.Detection or WorkerKinds.Persistence or WorkerKinds.Gateway);
    }

    /// <summary>Null when the message is signed with this key and unchanged; otherwise a dead-letter reason and detail.</summary>
    public (string Reason, string Detail)? Check(Headers? headers, byte[]? value)
    {
        byte[]? keyId = null, signature = null;
        if (headers is not null)
        {
            headers.TryGetLastBytes(KeyIdHeader, out keyId);
            headers.TryGetLastBytes(SignatureHeader, out signature);
        }

        if (keyId is null || signature is null)
        {
            return ("unsigned_audit_event", $"an event that only the console may publish, without the {KeyIdHeader} and {SignatureHeader} headers");
        }

        var id = Encoding.UTF8.GetString(keyId);
        if (id != _keyId)
        {
            return ("unknown_signing_key", $"signed with key id '{Truncate(id)}'; this worker checks with '{_keyId}' (AuditSigning:KeyId)");
        }

        var expected = Compute(_key, _keyId, value ?? []);
        var given = new byte[signature.Length];
        // Compared in constant time: a forger learns nothing from how long a wrong signature took to refuse.
        return Convert.TryFromBase64String(Encoding.ASCII.GetString(signature), given, out var length)
            && CryptographicOperations.FixedTimeEquals(given.AsSpan(0, length), expected)
            ? null
            : ("forged_audit_event", "the signature does not match the event: changed after signing, or signed with another key");
    }

    private static byte[] Compute(byte[] key, string keyId, ReadOnlySpan<byte> value)
    {
        var prefix = Encoding.UTF8.GetBytes(keyId + "\n");
        var payload = new byte[prefix.Length + value.Length];
        prefix.CopyTo(payload, 0);
        value.CopyTo(payload.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, payload);
    }

    private static string Truncate(string text) => text.Length > 64 ? text[..64] : text;
}
