using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection;

/// <summary>
/// The model's input vector, built the same way for training and for scoring so that the two can never drift apart.
/// Only features are used, never the scenario a simulator drew: the model must learn from what the detector sees.
/// </summary>
public static class ModelFeatures
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "log_amount", "txn_count_1m", "txn_count_1h", "txn_count_24h", "log_amount_sum_1h", "log_amount_sum_24h",
        "amount_zscore", "log_amount_to_mean", "log_distance_km", "log_speed_kmh", "log_seconds_since_last",
        "is_new_device", "is_new_merchant", "is_new_country", "log_history", "device_frequency", "log_device_age",
        "country_frequency", "category_frequency", "hour_frequency", "channel",
    ];

    public static int Count => Names.Count;

    public static float[] From(Transaction transaction, FraudFeatures f)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(f);
        var amount = (double)transaction.ReferenceAmount();
        return
        [
            Log(amount),
            f.TxnCount1m,
            f.TxnCount1h,
            f.TxnCount24h,
            Log((double)f.AmountSum1h),
            Log((double)f.AmountSum24h),
            (float)Math.Clamp(f.AmountZScore, -1000, 1000),
            f.HistoryCount > 0 && f.AmountMean > 0 ? (float)Math.Log((amount + 1) / (f.AmountMean + 1)) : 0f,
            Log(f.DistanceFromLastKm),
            Log(f.TravelSpeedKmh),
            f.HistoryCount > 0 ? Log(f.SecondsSinceLast) : -1f,
            f.IsNewDevice ? 1 : 0,
            f.IsNewMerchant ? 1 : 0,
            f.IsNewCountry ? 1 : 0,
            Log(f.HistoryCount),
            (float)f.DeviceFrequency,
            Log(f.DeviceAgeSeconds),
            (float)f.CountryFrequency,
            (float)f.CategoryFrequency,
            (float)f.HourFrequency,
            (float)transaction.Channel,
        ];
    }

    /// <summary>
    /// Feature <paramref name="index"/> of <see cref="Names"/> in words an analyst reads, with its value against the
    /// user's normal where there is one, e.g. "amount 14.2 × this user's mean of 31.50".
    /// </summary>
    public static string Describe(int index, Transaction transaction, FraudFeatures f)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(f);
        var amount = (double)transaction.ReferenceAmount();
        var inv = CultureInfo.InvariantCulture;
        return Names[index] switch
        {
            "log_amount" => string.Create(inv, $"amount {amount:0.00} (reference currency)"),
            "txn_count_1m" => string.Create(inv, $"{f.TxnCount1m} payments in the last minute"),
            "txn_count_1h" => string.Create(inv, $"{f.TxnCount1h} payments in the last hour"),
            "txn_count_24h" => string.Create(inv, $"{f.TxnCount24h} payments in the last 24 hours"),
            "log_amount_sum_1h" => string.Create(inv, $"{f.AmountSum1h:0.00} spent in the last hour"),
            "log_amount_sum_24h" => string.Create(inv, $"{f.AmountSum24h:0.00} spent in the last 24 hours"),
            "amount_zscore" => f.HistoryCount > 1
                ? string.Create(inv, $"amount {f.AmountZScore:0.0} standard deviations from this user's mean of {f.AmountMean:0.00}")
                : "amount with no history to compare to",
            "log_amount_to_mean" => f.HistoryCount > 0 && f.AmountMean > 0
                ? string.Create(inv, $"amount {(amount + 1) / (f.AmountMean + 1):0.0} × this user's mean of {f.AmountMean:0.00}")
                : "first payment of this user: no mean to compare to",
            "log_distance_km" => string.Create(inv, $"{f.DistanceFromLastKm:0} km from the previous payment"),
            "log_speed_kmh" => string.Create(inv, $"travel at {f.TravelSpeedKmh:0} km/h since the previous payment"),
            "log_seconds_since_last" => f.HistoryCount > 0
                ? string.Create(inv, $"{f.SecondsSinceLast:0} s since the previous payment")
                : "no previous payment",
            "is_new_device" => f.IsNewDevice ? "a device this user never paid from" : "a device this user paid from before",
            "is_new_merchant" => f.IsNewMerchant ? "a merchant this user never paid" : "a merchant this user paid before",
            "is_new_country" => f.IsNewCountry ? $"a country this user never paid in ({transaction.Country})" : $"a country this user paid in before ({transaction.Country})",
            "log_history" => string.Create(inv, $"{f.HistoryCount} earlier payments in this user's history"),
            "device_frequency" => string.Create(inv, $"this device in {f.DeviceFrequency:P0} of this user's payments"),
            "log_device_age" => string.Create(inv, $"device first seen {f.DeviceAgeSeconds / 3600:0.#} h ago"),
            "country_frequency" => string.Create(inv, $"{transaction.Country} in {f.CountryFrequency:P0} of this user's payments"),
            "category_frequency" => string.Create(inv, $"category {transaction.MerchantCategory} in {f.CategoryFrequency:P0} of this user's payments"),
            "hour_frequency" => string.Create(inv, $"hour {f.HourOfDay}:00 in {f.HourFrequency:P0} of this user's payments"),
            "channel" => $"channel {transaction.Channel.ToString().ToUpperInvariant()}",
            var name => throw new ArgumentOutOfRangeException(nameof(index), index, $"No words for feature {name}."),
        };
    }

    // Amounts, distances and durations span orders of magnitude; trees do not need it, but it keeps the vector readable.
    private static float Log(double value) => (float)Math.Log(1 + Math.Max(0, value));
}
