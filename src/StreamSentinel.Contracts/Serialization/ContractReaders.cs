namespace StreamSentinel.Contracts.Serialization;

/// <summary>Readers for each contract, with the fields each one requires.</summary>
public static class ContractReaders
{
    /// <summary>The default payload limit: a transaction is ~0.5 KB and a result ~2 KB, so 64 KiB is generous.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    private static readonly string[] TransactionFields =
    [
        "schema_version", "event_id", "transaction_id", "user_id", "card_id", "merchant_id", "merchant_category",
        "amount", "currency", "event_time", "latitude", "longitude", "country", "device_id", "ip_address", "channel",
    ];

    public static MessageReader<Transaction> Transactions(int maxBytes = DefaultMaxBytes) =>
        new(
            ContractsJsonContext.Default.Transaction,
            [Transaction.CurrentSchemaVersion],
            TransactionFields,
            ContractValidation.Validate,
            maxBytes);

    public static MessageReader<DetectionResult> DetectionResults(int maxBytes = DefaultMaxBytes) =>
        new(
            ContractsJsonContext.Default.DetectionResult,
            [DetectionResult.CurrentSchemaVersion],
            [
                "schema_version", "event_id", "transaction_id", "user_id", "fraud_score", "severity",
                "business_rules_triggered", "explanation", "features", "model_name", "model_version",
                "detection_latency_ms", "detected_at", "correlation_id", "transaction",
                .. TransactionFields.Where(f => f != "schema_version").Select(f => "transaction." + f),
            ],
            ContractValidation.Validate,
            maxBytes);
}
