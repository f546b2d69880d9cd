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

    // Amounts, distances and durations span orders of magnitude; trees do not need it, but it keeps the vector readable.
    private static float Log(double value) => (float)Math.Log(1 + Math.Max(0, value));
}
