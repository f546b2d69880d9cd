using System.Text.Json;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>
/// One of the three tables every result is written to: its columns with their ClickHouse types (given to the
/// driver explicitly, because its schema probe cannot read from 18.16) and how a result becomes a row.
/// </summary>
public sealed class ResultTable
{
    private ResultTable(string name, IReadOnlyList<(string Name, string Type, Func<PersistableResult, object?> Value)> columns)
    {
        Name = name;
        Columns = columns.Select(c => c.Name).ToArray();
        ColumnTypes = columns.ToDictionary(c => c.Name, c => c.Type);
        _values = [.. columns.Select(c => c.Value)];
    }

    private readonly Func<PersistableResult, object?>[] _values;

    public string Name { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyDictionary<string, string> ColumnTypes { get; }

    public object?[] Row(PersistableResult result)
    {
        var row = new object?[_values.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = _values[i](result);
        }

        return row;
    }

    public static ResultTable TransactionRecords { get; } = new("transaction_records",
    [
        ("event_id", "String", r => r.Result.EventId),
        ("transaction_id", "String", r => r.Result.TransactionId),
        ("user_id", "String", r => r.Result.UserId),
        ("card_id", "String", r => r.Transaction.CardId),
        ("merchant_id", "String", r => r.Transaction.MerchantId),
        ("merchant_category", "FixedString(4)", r => r.Transaction.MerchantCategory),
        ("amount", "Decimal(18, 4)", r => r.Transaction.Amount),
        ("currency", "FixedString(3)", r => r.Transaction.Currency),
        ("event_time", "DateTime", r => r.Transaction.EventTime.UtcDateTime),
        ("latitude", "Float64", r => r.Transaction.Latitude),
        ("longitude", "Float64", r => r.Transaction.Longitude),
        ("country", "FixedString(2)", r => r.Transaction.Country),
        ("device_id", "String", r => r.Transaction.DeviceId),
        ("ip_address", "String", r => r.Transaction.IpAddress),
        ("channel", "Enum8('POS' = 1, 'ECOMMERCE' = 2, 'ATM' = 3, 'MOBILE' = 4)", r => ChannelName(r.Transaction.Channel)),
        ("ingested_at", "Nullable(DateTime)", r => r.Transaction.IngestedAt?.UtcDateTime),
        .. Coordinates,
    ]);

    public static ResultTable FraudFeatures { get; } = new("fraud_features",
    [
        ("event_id", "String", r => r.Result.EventId),
        ("transaction_id", "String", r => r.Result.TransactionId),
        ("user_id", "String", r => r.Result.UserId),
        ("merchant_category", "FixedString(4)", r => r.Transaction.MerchantCategory),
        ("event_time", "DateTime", r => r.Transaction.EventTime.UtcDateTime),
        ("txn_count_1m", "UInt32", r => (uint)r.Result.Features.TxnCount1m),
        ("txn_count_1h", "UInt32", r => (uint)r.Result.Features.TxnCount1h),
        ("txn_count_24h", "UInt32", r => (uint)r.Result.Features.TxnCount24h),
        ("amount", "Decimal(18, 4)", r => r.Transaction.Amount),
        ("amount_sum_1h", "Decimal(18, 4)", r => r.Result.Features.AmountSum1h),
        ("amount_sum_24h", "Decimal(18, 4)", r => r.Result.Features.AmountSum24h),
        ("amount_mean", "Float64", r => r.Result.Features.AmountMean),
        ("amount_stddev", "Float64", r => r.Result.Features.AmountStdDev),
        ("amount_zscore", "Float64", r => r.Result.Features.AmountZScore),
        ("distance_from_last_km", "Float64", r => r.Result.Features.DistanceFromLastKm),
        ("travel_speed_kmh", "Float64", r => r.Result.Features.TravelSpeedKmh),
        ("seconds_since_last", "Float64", r => r.Result.Features.SecondsSinceLast),
        ("is_new_device", "UInt8", r => (byte)(r.Result.Features.IsNewDevice ? 1 : 0)),
        ("is_new_merchant", "UInt8", r => (byte)(r.Result.Features.IsNewMerchant ? 1 : 0)),
        ("is_new_country", "UInt8", r => (byte)(r.Result.Features.IsNewCountry ? 1 : 0)),
        ("hour_of_day", "UInt8", r => (byte)r.Result.Features.HourOfDay),
        ("fraud_score", "Float64", r => r.Result.FraudScore),
        ("model_version", "String", r => r.Result.ModelVersion),
        ("history_count", "UInt32", r => (uint)r.Result.Features.HistoryCount),
        ("device_frequency", "Float64", r => r.Result.Features.DeviceFrequency),
        ("device_age_seconds", "Float64", r => r.Result.Features.DeviceAgeSeconds),
        ("country_frequency", "Float64", r => r.Result.Features.CountryFrequency),
        ("category_frequency", "Float64", r => r.Result.Features.CategoryFrequency),
        ("hour_frequency", "Float64", r => r.Result.Features.HourFrequency),
        .. Coordinates,
    ]);

    public static ResultTable DetectionResults { get; } = new("detection_results",
    [
        ("event_id", "String", r => r.Result.EventId),
        ("transaction_id", "String", r => r.Result.TransactionId),
        ("user_id", "String", r => r.Result.UserId),
        ("fraud_score", "Float64", r => r.Result.FraudScore),
        ("severity", "Enum8('MINIMAL' = 1, 'LOW' = 2, 'MEDIUM' = 3, 'HIGH' = 4, 'CRITICAL' = 5)", r => SeverityNames.Of(r.Result.Severity)),
        ("is_alert", "UInt8", r => (byte)(r.IsAlert ? 1 : 0)),
        ("business_rules_triggered", "Array(String)", r => r.Result.BusinessRulesTriggered.ToArray()),
        ("explanation", "String", r => JsonSerializer.Serialize(r.Result.Explanation, ContractsJsonContext.Default.DetectionExplanation)),
        ("model_name", "String", r => r.Result.ModelName),
        ("model_version", "String", r => r.Result.ModelVersion),
        ("detection_latency_ms", "Float64", r => r.Result.DetectionLatencyMs),
        ("event_time", "DateTime", r => r.Transaction.EventTime.UtcDateTime),
        ("detected_at", "DateTime", r => r.Result.DetectedAt.UtcDateTime),
        ("correlation_id", "String", r => r.Result.CorrelationId),
        ("merchant_category", "FixedString(4)", r => r.Transaction.MerchantCategory),
        ("country", "FixedString(2)", r => r.Transaction.Country),
        ("amount", "Decimal(18, 4)", r => r.Transaction.Amount),
        .. Coordinates,
    ]);

    /// <summary>Every result goes to all three, in this order.</summary>
    public static IReadOnlyList<ResultTable> All { get; } = [TransactionRecords, FraudFeatures, DetectionResults];

    private static (string, string, Func<PersistableResult, object?>)[] Coordinates =>
    [
        ("kafka_topic", "String", r => r.Source.Topic),
        ("kafka_partition", "Int32", r => r.Source.Partition),
        ("kafka_offset", "Int64", r => r.Source.Offset),
    ];

    private static string ChannelName(Channel channel) => channel switch
    {
        Channel.PointOfSale => "POS",
        Channel.ECommerce => "ECOMMERCE",
        Channel.Atm => "ATM",
        Channel.Mobile => "MOBILE",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };
}
