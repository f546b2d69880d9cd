namespace StreamSentinel.Contracts.Tests;

/// <summary>Valid messages to start from; tests change one thing at a time.</summary>
internal static class Samples
{
    public static Transaction Transaction() => new Transaction
    {
        TransactionId = "txn-000123",
        UserId = "user-42",
        CardId = "card-42-1",
        MerchantId = "merchant-7",
        MerchantCategory = "5411",
        Amount = 12.50m,
        Currency = "EUR",
        EventTime = new DateTimeOffset(2026, 11, 25, 13, 45, 7, 123, TimeSpan.Zero),
        Latitude = 48.8566,
        Longitude = 2.3522,
        Country = "FR",
        DeviceId = "device-a",
        IpAddress = "203.0.113.7",
        Channel = Channel.ECommerce,
    }.WithEventId();

    public static DetectionResult Result()
    {
        var transaction = Transaction();
        return new DetectionResult
        {
            EventId = transaction.EventId,
            TransactionId = transaction.TransactionId,
            UserId = transaction.UserId,
            FraudScore = 0.8731,
            Severity = Severity.High,
            BusinessRulesTriggered = ["velocity_burst", "new_device"],
            Explanation = new DetectionExplanation
            {
                Summary = "7 payments in a minute from a new device",
                ModelScore = 0.81,
                RuleScore = 0.9,
                Items = [new ExplanationItem("rule", "velocity_burst", "7 payments in the last minute (usual: 0.2)", 0.4)],
            },
            Features = new FraudFeatures { TxnCount1m = 7, TxnCount1h = 9, AmountSum1h = 88.5m, IsNewDevice = true, HourOfDay = 13 },
            ModelName = "fraud-gbm",
            ModelVersion = "2026.11.1",
            DetectionLatencyMs = 3.25,
            DetectedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 7, 130, TimeSpan.Zero),
            CorrelationId = "corr-1",
            Transaction = transaction,
        };
    }
}
