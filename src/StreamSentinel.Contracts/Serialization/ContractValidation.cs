using System.Buffers;
using System.Globalization;
using StreamSentinel.Contracts.Privacy;

namespace StreamSentinel.Contracts.Serialization;

/// <summary>The semantic checks of each contract: what a well-typed message must also satisfy to be processed.</summary>
public static class ContractValidation
{
    /// <summary>Identifiers longer than this are refused: they are keys in Kafka, Redis and both databases.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Amounts at or above this are refused (the stores keep Decimal(18, 4)).</summary>
    public const decimal MaxAmount = 100_000_000_000_000m;

    private const int MaxAmountScale = 4;
    private const int MaxRuleNameLength = 128;
    private static readonly DateTimeOffset EarliestEventTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestEventTime = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    public static MessageError? Validate(Transaction transaction) => Validate(transaction, "");

    public static MessageError? Validate(DetectionResult result) => Validate(result, validatedTransaction: null);

    /// <summary>
    /// The checks of <see cref="Validate(DetectionResult)"/> for a result made from <paramref name="validatedTransaction"/>,
    /// which passed <see cref="Validate(Transaction)"/> when it was read: when the result carries that very instance,
    /// its checks (and the SHA-256 of its event id) are not run a second time. Records are immutable and the checks
    /// depend on nothing else, so the answer is the same.
    /// </summary>
    public static MessageError? Validate(DetectionResult result, Transaction? validatedTransaction)
    {
        ArgumentNullException.ThrowIfNull(result);
        var error = EventId(result.EventId, "event_id")
            ?? Id(result.TransactionId, "transaction_id")
            ?? Id(result.UserId, "user_id");
        if (error is not null)
        {
            return error;
        }

        if (!double.IsFinite(result.FraudScore) || result.FraudScore is < 0 or > 1)
        {
            return MessageError.Invalid("fraud_score", $"is {Format(result.FraudScore)}, outside 0..1");
        }

        if (!Enum.IsDefined(result.Severity))
        {
            return MessageError.Invalid("severity", $"is {(int)result.Severity}, not one of MINIMAL, LOW, MEDIUM, HIGH, CRITICAL");
        }

        if (result.BusinessRulesTriggered is null)
        {
            return MessageError.Missing("business_rules_triggered");
        }

        foreach (var rule in result.BusinessRulesTriggered)
        {
            if (string.IsNullOrWhiteSpace(rule) || rule.Length > MaxRuleNameLength)
            {
                return MessageError.Invalid("business_rules_triggered", "holds an empty or over-long rule name");
            }
        }

        if (result.Explanation is null)
        {
            return MessageError.Missing("explanation");
        }

        if (result.Explanation.Summary is null || result.Explanation.Items is null || result.Explanation.Items.Any(item => item is null))
        {
            return MessageError.Invalid("explanation", "has a null summary, item list or item");
        }

        if (result.CorrelationId is null)
        {
            return MessageError.Missing("correlation_id");
        }

        if (result.Features is null)
        {
            return MessageError.Missing("features");
        }

        error = Validate(result.Features);
        if (error is not null)
        {
            return error;
        }

        error = Id(result.ModelName, "model_name") ?? Id(result.ModelVersion, "model_version");
        if (error is not null)
        {
            return error;
        }

        if (!double.IsFinite(result.DetectionLatencyMs) || result.DetectionLatencyMs < 0)
        {
            return MessageError.Invalid("detection_latency_ms", $"is {Format(result.DetectionLatencyMs)}, not a non-negative number");
        }

        if (result.DetectedAt < EarliestEventTime || result.DetectedAt >= LatestEventTime)
        {
            return MessageError.Invalid("detected_at", $"is {result.DetectedAt:O}, outside 2000..2100");
        }

        if (result.Transaction is null)
        {
            return MessageError.Missing("transaction");
        }

        error = ReferenceEquals(result.Transaction, validatedTransaction) ? null : Validate(result.Transaction, "transaction.");
        if (error is not null)
        {
            return error;
        }

        if (result.Transaction.EventId != result.EventId
            || result.Transaction.TransactionId != result.TransactionId
            || result.Transaction.UserId != result.UserId)
        {
            return MessageError.Invalid("transaction", "does not carry the same event_id, transaction_id and user_id as the result");
        }

        return null;
    }

    // The stores keep counts unsigned, the hour in a byte and sums as Decimal(18, 4): a value they cannot hold would
    // otherwise be refused by ClickHouse (or wrap around) after the message was accepted.
    private static MessageError? Validate(FraudFeatures features)
    {
        if (features.TxnCount1m < 0 || features.TxnCount1h < 0 || features.TxnCount24h < 0)
        {
            return MessageError.Invalid("features", "has a negative transaction count");
        }

        if (features.AmountSum1h < 0 || features.AmountSum1h >= MaxAmount || features.AmountSum24h < 0 || features.AmountSum24h >= MaxAmount)
        {
            return MessageError.Invalid("features", $"has an amount sum outside 0..{MaxAmount.ToString(CultureInfo.InvariantCulture)}");
        }

        if (features.HourOfDay is < 0 or > 23)
        {
            return MessageError.Invalid("features", $"has hour_of_day {features.HourOfDay}, outside 0..23");
        }

        if (features.HistoryCount < 0 || !(features.DeviceAgeSeconds >= 0))
        {
            return MessageError.Invalid("features", "has a negative history_count or device_age_seconds");
        }

        if (!IsShare(features.DeviceFrequency) || !IsShare(features.CountryFrequency)
            || !IsShare(features.CategoryFrequency) || !IsShare(features.HourFrequency))
        {
            return MessageError.Invalid("features", "has a frequency outside 0..1");
        }

        return null;
    }

    private static bool IsShare(double value) => value is >= 0 and <= 1;

    private static MessageError? Validate(Transaction transaction, string prefix)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var error = EventId(transaction.EventId, prefix + "event_id")
            ?? Id(transaction.TransactionId, prefix + "transaction_id")
            ?? Id(transaction.UserId, prefix + "user_id")
            ?? Id(transaction.CardId, prefix + "card_id")
            ?? Id(transaction.MerchantId, prefix + "merchant_id")
            ?? Id(transaction.DeviceId, prefix + "device_id")
            ?? Id(transaction.IpAddress, prefix + "ip_address");
        if (error is not null)
        {
            return error;
        }

        if (CardNumbers.LooksLikePan(transaction.CardId))
        {
            return MessageError.CardNumber(prefix + "card_id");
        }

        if (!IsDigits(transaction.MerchantCategory, 4))
        {
            return MessageError.Invalid(prefix + "merchant_category", $"is '{Truncate(transaction.MerchantCategory)}', not a four-digit MCC");
        }

        if (transaction.Amount < 0 || transaction.Amount >= MaxAmount)
        {
            return MessageError.Invalid(prefix + "amount", $"is {transaction.Amount.ToString(CultureInfo.InvariantCulture)}, outside 0..{MaxAmount.ToString(CultureInfo.InvariantCulture)}");
        }

        if (transaction.Amount.Scale > MaxAmountScale && decimal.Round(transaction.Amount, MaxAmountScale) != transaction.Amount)
        {
            return MessageError.Invalid(prefix + "amount", $"has more than {MaxAmountScale} decimal places");
        }

        if (!IsUpperLetters(transaction.Currency, 3))
        {
            return MessageError.Invalid(prefix + "currency", $"is '{Truncate(transaction.Currency)}', not an ISO 4217 code");
        }

        if (!IsUpperLetters(transaction.Country, 2))
        {
            return MessageError.Invalid(prefix + "country", $"is '{Truncate(transaction.Country)}', not an ISO 3166 alpha-2 code");
        }

        if (!double.IsFinite(transaction.Latitude) || transaction.Latitude is < -90 or > 90)
        {
            return MessageError.Invalid(prefix + "latitude", $"is {Format(transaction.Latitude)}, outside -90..90");
        }

        if (!double.IsFinite(transaction.Longitude) || transaction.Longitude is < -180 or > 180)
        {
            return MessageError.Invalid(prefix + "longitude", $"is {Format(transaction.Longitude)}, outside -180..180");
        }

        if (transaction.EventTime < EarliestEventTime || transaction.EventTime >= LatestEventTime)
        {
            return MessageError.Invalid(prefix + "event_time", $"is {transaction.EventTime:O}, outside 2000..2100");
        }

        if (!Enum.IsDefined(transaction.Channel))
        {
            return MessageError.Invalid(prefix + "channel", $"is {(int)transaction.Channel}, not one of POS, ECOMMERCE, ATM, MOBILE");
        }

        if (!EventIds.Matches(transaction))
        {
            return MessageError.Invalid(prefix + "event_id", "does not match the SHA-256 of the identifying fields");
        }

        return null;
    }

    private static MessageError? Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return MessageError.Missing(field);
        }

        if (value.Length > MaxIdLength)
        {
            return MessageError.Invalid(field, $"is {value.Length} characters long, over {MaxIdLength}");
        }

        // Ids are keys in Kafka, Redis and both databases, and event ids join them with U+001F: no control characters.
        return HasControl(value) ? MessageError.Invalid(field, "contains a control character") : null;
    }

    private static MessageError? EventId(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return MessageError.Missing(field);
        }

        return value.Length == 64 && !value.AsSpan().ContainsAnyExcept(LowerHexDigits) ? null : MessageError.Invalid(field, "is not 64 lower-case hex digits");
    }

    private static bool IsDigits(string? value, int length) => value is not null && value.Length == length && !value.AsSpan().ContainsAnyExceptInRange('0', '9');

    private static bool IsUpperLetters(string? value, int length) => value is not null && value.Length == length && !value.AsSpan().ContainsAnyExceptInRange('A', 'Z');

    // char.IsControl is exactly these two ranges (Unicode category Cc); searched vectorized, without a delegate per
    // character (these checks run for every transaction read).
    private static bool HasControl(string value) =>
        value.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || value.AsSpan().ContainsAnyInRange('\u007f', '\u009f');

    // Masked first: a card number in the wrong field must not be echoed into an error, a log or a dead letter.
    private static string Truncate(string? value) => value is null ? "null" : CardNumbers.Mask(value) is var masked && masked.Length <= 16 ? masked : masked[..16] + "…";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
