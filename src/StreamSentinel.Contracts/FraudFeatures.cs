using System.Text.Json.Serialization;

namespace StreamSentinel.Contracts;

/// <summary>
/// The per-transaction features computed from the user's state, stored as they were seen at detection time
/// (ClickHouse <c>fraud_features</c>) so that models can be retrained on exactly what the detector saw.
/// </summary>
/// <remarks>Amounts (sums, mean, deviation) are in euros at the detector's reference rates, whatever the payment's currency.</remarks>
public sealed record FraudFeatures
{
    [JsonPropertyName("txn_count_1m")]
    public int TxnCount1m { get; init; }

    [JsonPropertyName("txn_count_1h")]
    public int TxnCount1h { get; init; }

    [JsonPropertyName("txn_count_24h")]
    public int TxnCount24h { get; init; }

    [JsonPropertyName("amount_sum_1h")]
    public decimal AmountSum1h { get; init; }

    [JsonPropertyName("amount_sum_24h")]
    public decimal AmountSum24h { get; init; }

    /// <summary>Mean of the user's earlier amounts.</summary>
    public double AmountMean { get; init; }

    /// <summary>Standard deviation of the user's earlier amounts.</summary>
    public double AmountStdDev { get; init; }

    /// <summary>How many standard deviations this amount is from the user's mean.</summary>
    public double AmountZScore { get; init; }

    /// <summary>Distance from the user's previous payment, in kilometres.</summary>
    public double DistanceFromLastKm { get; init; }

    /// <summary>Speed needed to get here from the previous payment, in km/h.</summary>
    public double TravelSpeedKmh { get; init; }

    public double SecondsSinceLast { get; init; }

    public bool IsNewDevice { get; init; }

    public bool IsNewMerchant { get; init; }

    public bool IsNewCountry { get; init; }

    /// <summary>Hour of the day (0-23) in UTC.</summary>
    public int HourOfDay { get; init; }

    /// <summary>How many earlier payments of this user the detector knows (its history, for trusting the other features).</summary>
    public int HistoryCount { get; init; }

    /// <summary>Share of the user's earlier payments made from this device, 0..1 (0 for a new device).</summary>
    public double DeviceFrequency { get; init; }

    /// <summary>Seconds since this user first used this device (0 for a new device).</summary>
    public double DeviceAgeSeconds { get; init; }

    /// <summary>Share of the user's earlier payments made in this country, 0..1.</summary>
    public double CountryFrequency { get; init; }

    /// <summary>Share of the user's earlier payments in this merchant category, 0..1.</summary>
    public double CategoryFrequency { get; init; }

    /// <summary>Share of the user's earlier payments made in this hour of the day (UTC), 0..1.</summary>
    public double HourFrequency { get; init; }
}
