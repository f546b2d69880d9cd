using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Replaces card, device and IP with keyed pseudonyms before a transaction reaches Kafka, when a key is configured:
/// <c>p1:</c> and 40 hex digits of HMAC-SHA256(key, field name, U+001F, value). The same value always gets the same
/// pseudonym, so detection's per-device and per-card state works unchanged, and the event id (derived after this)
/// stays stable for a resent payment; without the key nobody downstream can recover or test a guess at the value.
/// </summary>
/// <remarks>
/// The field name is part of the input so that a card id and a device id with the same text get different
/// pseudonyms. 160 bits of the MAC: collisions are out of reach for any realistic number of cards.
/// Rotating the key changes every pseudonym: detection then sees every device as new for a while.
/// </remarks>
public sealed class Pseudonymiser(IOptions<PseudonymisationOptions> options)
{
    public const string Prefix = "p1:";

    private readonly byte[]? _key = options.Value.Enabled ? Convert.FromBase64String(options.Value.Key) : null;

    public bool Enabled => _key is not null;

    /// <summary>The transaction with its identifiers pseudonymised (unchanged when no key is set); its event id is cleared, to be derived again.</summary>
    public Transaction Apply(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (_key is null)
        {
            return transaction;
        }

        return transaction with
        {
            EventId = "",
            CardId = Pseudonym("card_id", transaction.CardId),
            DeviceId = Pseudonym("device_id", transaction.DeviceId),
            IpAddress = Pseudonym("ip_address", transaction.IpAddress),
        };
    }

    private string Pseudonym(string field, string value)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{field}\u001f{value}"), mac);
        return Prefix + Convert.ToHexStringLower(mac[..20]);
    }
}
