using System.Text.Json.Serialization;

namespace StreamSentinel.Contracts;

/// <summary>
/// The per-transaction features computed from the user's state, stored as they were seen at detection time
/// (ClickHouse <c>fraud_features</c>) so that models can be retrained on exactly what the detector saw.
/// </summary>
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
}
