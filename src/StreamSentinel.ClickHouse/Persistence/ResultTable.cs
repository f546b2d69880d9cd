using System.Buffers;
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
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    private ResultTable(string name, IReadOnlyList<ResultColumn> columns)
    {
        Name = name;
        _columns = [.. columns];
        Columns = columns.Select(c => c.Name).ToArray();
        ColumnTypes = columns.ToDictionary(c => c.Name, c => c.Type);
    }

    private readonly ResultColumn[] _columns;

    public string Name { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyDictionary<string, string> ColumnTypes { get; }

    /// <summary>The row's values, boxed (text formats, tests).</summary>
    public object?[] Row(PersistableResult result)
    {
        var row = new object?[_columns.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = _columns[i].Value(result);
        }

        return row;
    }

    /// <summary>Appends the row in RowBinary, the columns in <see cref="Columns"/> order.</summary>
    public void WriteRow(RowBinaryBuffer buffer, PersistableResult result)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        foreach (var column in _columns)
        {
            column.Write(buffer, result);
        }
    }

    public static ResultTable TransactionRecords { get; } = new("transaction_records",
    [
        ResultColumn.Text("event_id", r => r.Result.EventId),
        ResultColumn.Text("transaction_id", r => r.Result.TransactionId),
        ResultColumn.Text("user_id", r => r.Result.UserId),
        ResultColumn.Text("card_id", r => r.Transaction.CardId),
        ResultColumn.Text("merchant_id", r => r.Transaction.MerchantId),
        ResultColumn.FixedString("merchant_category", 4, r => r.Transaction.MerchantCategory),
        ResultColumn.Decimal18x4("amount", r => r.Transaction.Amount),
        ResultColumn.FixedString("currency", 3, r => r.Transaction.Currency),
        ResultColumn.DateTime("event_time", r => r.Transaction.EventTime),
        ResultColumn.Real64("latitude", r => r.Transaction.Latitude),
        ResultColumn.Real64("longitude", r => r.Transaction.Longitude),
        ResultColumn.FixedString("country", 2, r => r.Transaction.Country),
        ResultColumn.Text("device_id", r => r.Transaction.DeviceId),
        ResultColumn.Text("ip_address", r => r.Transaction.IpAddress),
        ResultColumn.Enum8("channel", "Enum8('POS' = 1, 'ECOMMERCE' = 2, 'ATM' = 3, 'MOBILE' = 4)", r => ChannelName(r.Transaction.Channel), r => ChannelCode(r.Transaction.Channel)),
        ResultColumn.NullableDateTime("ingested_at", r => r.Transaction.IngestedAt),
        .. Coordinates,
    ]);

    public static ResultTable FraudFeatures { get; } = new("fraud_features",
    [
        ResultColumn.Text("event_id", r => r.Result.EventId),
        ResultColumn.Text("transaction_id", r => r.Result.TransactionId),
        ResultColumn.Text("user_id", r => r.Result.UserId),
        ResultColumn.FixedString("merchant_category", 4, r => r.Transaction.MerchantCategory),
        ResultColumn.DateTime("event_time", r => r.Transaction.EventTime),
        ResultColumn.Unsigned32("txn_count_1m", r => (uint)r.Result.Features.TxnCount1m),
        ResultColumn.Unsigned32("txn_count_1h", r => (uint)r.Result.Features.TxnCount1h),
        ResultColumn.Unsigned32("txn_count_24h", r => (uint)r.Result.Features.TxnCount24h),
        ResultColumn.Decimal18x4("amount", r => r.Transaction.Amount),
        ResultColumn.Decimal18x4("amount_sum_1h", r => r.Result.Features.AmountSum1h),
        ResultColumn.Decimal18x4("amount_sum_24h", r => r.Result.Features.AmountSum24h),
        ResultColumn.Real64("amount_mean", r => r.Result.Features.AmountMean),
        ResultColumn.Real64("amount_stddev", r => r.Result.Features.AmountStdDev),
        ResultColumn.Real64("amount_zscore", r => r.Result.Features.AmountZScore),
        ResultColumn.Real64("distance_from_last_km", r => r.Result.Features.DistanceFromLastKm),
        ResultColumn.Real64("travel_speed_kmh", r => r.Result.Features.TravelSpeedKmh),
        ResultColumn.Real64("seconds_since_last", r => r.Result.Features.SecondsSinceLast),
        ResultColumn.Unsigned8("is_new_device", r => (byte)(r.Result.Features.IsNewDevice ? 1 : 0)),
        ResultColumn.Unsigned8("is_new_merchant", r => (byte)(r.Result.Features.IsNewMerchant ? 1 : 0)),
        ResultColumn.Unsigned8("is_new_country", r => (byte)(r.Result.Features.IsNewCountry ? 1 : 0)),
        ResultColumn.Unsigned8("hour_of_day", r => (byte)r.Result.Features.HourOfDay),
        ResultColumn.Real64("fraud_score", r => r.Result.FraudScore),
        ResultColumn.Text("model_version", r => r.Result.ModelVersion),
        ResultColumn.Unsigned32("history_count", r => (uint)r.Result.Features.HistoryCount),
        ResultColumn.Real64("device_frequency", r => r.Result.Features.DeviceFrequency),
        ResultColumn.Real64("device_age_seconds", r => r.Result.Features.DeviceAgeSeconds),
        ResultColumn.Real64("country_frequency", r => r.Result.Features.CountryFrequency),
        ResultColumn.Real64("category_frequency", r => r.Result.Features.CategoryFrequency),
        ResultColumn.Real64("hour_frequency", r => r.Result.Features.HourFrequency),
        .. Coordinates,
    ]);

    public static ResultTable DetectionResults { get; } = new("detection_results",
    [
        ResultColumn.Text("event_id", r => r.Result.EventId),
        ResultColumn.Text("transaction_id", r => r.Result.TransactionId),
        ResultColumn.Text("user_id", r => r.Result.UserId),
        ResultColumn.Real64("fraud_score", r => r.Result.FraudScore),
        ResultColumn.Enum8("severity", "Enum8('MINIMAL' = 1, 'LOW' = 2, 'MEDIUM' = 3, 'HIGH' = 4, 'CRITICAL' = 5)", r => SeverityNames.Of(r.Result.Severity), r => (sbyte)r.Result.Severity),
        ResultColumn.Unsigned8("is_alert", r => (byte)(r.IsAlert ? 1 : 0)),
        ResultColumn.StringArray("business_rules_triggered", r => r.Result.BusinessRulesTriggered),
        // Serialized as UTF-8 straight into the row buffer: no string per row.
        ResultColumn.Utf8("explanation", r => JsonSerializer.Serialize(r.Result.Explanation, ContractsJsonContext.Default.DetectionExplanation), WriteExplanation),
        ResultColumn.Text("model_name", r => r.Result.ModelName),
        ResultColumn.Text("model_version", r => r.Result.ModelVersion),
        ResultColumn.Real64("detection_latency_ms", r => r.Result.DetectionLatencyMs),
        ResultColumn.DateTime("event_time", r => r.Transaction.EventTime),
        ResultColumn.DateTime("detected_at", r => r.Result.DetectedAt),
        ResultColumn.Text("correlation_id", r => r.Result.CorrelationId),
        ResultColumn.FixedString("merchant_category", 4, r => r.Transaction.MerchantCategory),
        ResultColumn.FixedString("country", 2, r => r.Transaction.Country),
        ResultColumn.Decimal18x4("amount", r => r.Transaction.Amount),
        .. Coordinates,
    ]);

    public override string ToString() => Name;

    /// <summary>Every result goes to all three, in this order.</summary>
    public static IReadOnlyList<ResultTable> All { get; } = [TransactionRecords, FraudFeatures, DetectionResults];

    private static ResultColumn[] Coordinates =>
    [
        ResultColumn.Text("kafka_topic", r => r.Source.Topic),
        ResultColumn.Signed32("kafka_partition", r => r.Source.Partition),
        ResultColumn.Signed64("kafka_offset", r => r.Source.Offset),
    ];

    private static void WriteExplanation(RowBinaryBuffer buffer, PersistableResult result)
    {
        var json = t_json ??= new ArrayBufferWriter<byte>(1024);
        json.ResetWrittenCount();
        var writer = t_jsonWriter ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        JsonSerializer.Serialize(writer, result.Result.Explanation, ContractsJsonContext.Default.DetectionExplanation);
        writer.Flush();
        buffer.WriteString(json.WrittenSpan);
    }

    private static sbyte ChannelCode(Channel channel) => channel switch
    {
        Channel.PointOfSale => 1,
        Channel.ECommerce => 2,
        Channel.Atm => 3,
        Channel.Mobile => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    private static string ChannelName(Channel channel) => channel switch
    {
        Channel.PointOfSale => "POS",
        Channel.ECommerce => "ECOMMERCE",
        Channel.Atm => "ATM",
        Channel.Mobile => "MOBILE",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };
}
