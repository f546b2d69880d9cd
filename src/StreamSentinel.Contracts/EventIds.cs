using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StreamSentinel.Contracts;

/// <summary>Deterministic event ids: the same payment always gets the same id, whoever sends it and how often.</summary>
public static class EventIds
{
    // A unit separator cannot occur in any identifying field the contract accepts (ids refuse control characters,
    // see ContractValidation), so "a|bc" and "ab|c" never collide.
    private const byte Separator = 0x1f;

    // 12.50 and 12.5 are the same amount, but decimal keeps the scale: format without trailing zeros.
    private const string AmountFormat = "0.############################";

    // Transactions the contract accepts fit (four ids of at most 128 characters); longer ones (unvalidated input at
    // the gateway) take a pooled buffer instead.
    private const int StackLimit = 1024;

    /// <summary>
    /// Hex SHA-256 over transaction id, user, card, merchant, amount (invariant, trailing zeros removed),
    /// currency and event time (Unix milliseconds, UTC), joined with U+001F and encoded as UTF-8. Fields that
    /// describe context rather than identity (location, device, IP, channel, ingest time) are left out so that a
    /// resend with fresher context keeps its id.
    /// </summary>
    public static string For(Transaction transaction)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(transaction, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Whether <see cref="Transaction.EventId"/> is <see cref="For(Transaction)"/>: the same hash over the same bytes,
    /// compared in place, without the strings that <see cref="For(Transaction)"/> allocates.
    /// </summary>
    public static bool Matches(Transaction transaction)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(transaction, hash);
        Span<char> hex = stackalloc char[2 * SHA256.HashSizeInBytes];
        return Convert.TryToHexStringLower(hash, hex, out _) && hex.SequenceEqual(transaction.EventId);
    }

    /// <summary>The transaction with its <see cref="Transaction.EventId"/> computed.</summary>
    public static Transaction WithEventId(this Transaction transaction) => transaction with { EventId = For(transaction) };

    private static void Hash(Transaction transaction, Span<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        // string.Join wrote a null field as empty; so does this.
        var (transactionId, userId, cardId, merchantId) = (transaction.TransactionId ?? "", transaction.UserId ?? "", transaction.CardId ?? "", transaction.MerchantId ?? "");
        var currency = transaction.Currency ?? "";
        currency = currency.AsSpan().ContainsAnyExceptInRange('A', 'Z') ? currency.ToUpperInvariant() : currency;
        var length = Encoding.UTF8.GetMaxByteCount(
            transactionId.Length + userId.Length + cardId.Length + merchantId.Length + currency.Length)
            + 64 + 20 + 6;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var n = Append(buffer, 0, transactionId);
            n = Append(buffer, n, userId);
            n = Append(buffer, n, cardId);
            n = Append(buffer, n, merchantId);
            if (!transaction.Amount.TryFormat(buffer[n..], out var written, AmountFormat, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("An amount did not fit its buffer.");
            }

            n += written;
            buffer[n++] = Separator;
            n = Append(buffer, n, currency);
            if (!transaction.EventTime.ToUnixTimeMilliseconds().TryFormat(buffer[n..], out written, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("A timestamp did not fit its buffer.");
            }

            n += written;
            SHA256.HashData(buffer[..n], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Append(Span<byte> buffer, int at, string field)
    {
        at += Encoding.UTF8.GetBytes(field, buffer[at..]);
        buffer[at++] = Separator;
        return at;
    }
}
