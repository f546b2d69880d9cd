using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StreamSentinel.Contracts;

/// <summary>Deterministic event ids: the same payment always gets the same id, whoever sends it and how often.</summary>
public static class EventIds
{
    // A unit separator cannot occur in any identifying field the contract accepts (ids refuse control characters,
    // see ContractValidation), so "a|bc" and "ab|c" never collide.
    private const char Separator = '\u001f';

    /// <summary>
    /// Hex SHA-256 over transaction id, user, card, merchant, amount (invariant, trailing zeros removed),
    /// currency and event time (Unix milliseconds, UTC). Fields that describe context rather than identity
    /// (location, device, IP, channel, ingest time) are left out so that a resend with fresher context keeps its id.
    /// </summary>
    public static string For(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var canonical = string.Join(
            Separator,
            transaction.TransactionId,
            transaction.UserId,
            transaction.CardId,
            transaction.MerchantId,
            NormalizeAmount(transaction.Amount),
            transaction.Currency.ToUpperInvariant(),
            transaction.EventTime.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The transaction with its <see cref="Transaction.EventId"/> computed.</summary>
    public static Transaction WithEventId(this Transaction transaction) => transaction with { EventId = For(transaction) };

    // 12.50 and 12.5 are the same amount, but decimal keeps the scale: format without trailing zeros.
    private static string NormalizeAmount(decimal amount) => amount.ToString("0.############################", CultureInfo.InvariantCulture);
}
