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

    /// <summary>
    /// Transactions as payment systems send them to the gateway: everything but <c>event_id</c> (the gateway derives
    /// it; one that is sent must be the one it derives) and <c>ingested_at</c> (the gateway stamps it).
    /// </summary>
    public static MessageReader<Transaction> Intake(int maxBytes = DefaultMaxBytes) =>
        new(
            ContractsJsonContext.Default.Transaction,
            [Transaction.CurrentSchemaVersion],
            TransactionFields.Where(f => f != "event_id"),
            ValidateIntake,
            maxBytes);

    // The id is derived from the identifying fields, so those must be there before anything else is checked.
    private static MessageError? ValidateIntake(Transaction transaction)
    {
        foreach (var (value, field) in new[]
        {
            (transaction.TransactionId, "transaction_id"), (transaction.UserId, "user_id"), (transaction.CardId, "card_id"),
            (transaction.MerchantId, "merchant_id"), (transaction.Currency, "currency"),
        })
        {
            if (value is null)
            {
                return MessageError.Missing(field);
            }
        }

        var derived = transaction.WithEventId();
        return transaction.EventId is { Length: > 0 } sent && sent != derived.EventId
            ? MessageError.Invalid("event_id", "does not match the transaction's identifying fields; leave it out and the gateway derives it")
            : ContractValidation.Validate(derived);
    }

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

    public static MessageReader<AuditEvent> AuditEvents(int maxBytes = DefaultMaxBytes) =>
        new(
            ContractsJsonContext.Default.AuditEvent,
            [AuditEvent.CurrentSchemaVersion],
            ["schema_version", "event_id", "occurred_at", "actor", "action", "entity_type", "entity_id", "details"],
            OperationalValidation.Validate,
            maxBytes);

    public static MessageReader<PerformanceSnapshot> PerformanceSnapshots(int maxBytes = DefaultMaxBytes) =>
        new(
            ContractsJsonContext.Default.PerformanceSnapshot,
            [PerformanceSnapshot.CurrentSchemaVersion],
            [
                "schema_version", "snapshot_id", "worker_id", "worker_kind", "interval_start", "interval_end",
                "messages_in", "messages_out", "batches", "batch_size_avg", "batch_size_max", "errors", "dead_lettered", "dropped",
            ],
            OperationalValidation.Validate,
            maxBytes);
}
