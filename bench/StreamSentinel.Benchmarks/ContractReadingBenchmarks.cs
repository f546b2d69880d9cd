using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Benchmarks;

/// <summary>
/// What the typed-error reader costs over a bare deserialize: the persistence workers read every result through it.
/// The baseline is System.Text.Json alone, which throws on bad input and checks nothing.
/// </summary>
[MemoryDiagnoser]
public class ContractReadingBenchmarks
{
    private readonly MessageReader<DetectionResult> _results = ContractReaders.DetectionResults();
    private readonly MessageReader<Transaction> _transactions = ContractReaders.Transactions();
    private byte[] _result = [];
    private byte[] _transaction = [];

    [GlobalSetup]
    public void SetUp()
    {
        var transaction = new Transaction
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
        _transaction = JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction);
        _result = JsonSerializer.SerializeToUtf8Bytes(
            new DetectionResult
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
                    Items = [new ExplanationItem("rule", "velocity_burst", "7 payments in the last minute (usual: 0.2)", 0.4)],
                },
                Features = new FraudFeatures { TxnCount1m = 7, TxnCount1h = 9, AmountSum1h = 88.5m, IsNewDevice = true, HourOfDay = 13 },
                ModelName = "fraud-gbm",
                ModelVersion = "2026.11.1",
                DetectionLatencyMs = 3.25,
                DetectedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 7, 130, TimeSpan.Zero),
                CorrelationId = "corr-1",
                Transaction = transaction,
            },
            ContractsJsonContext.Default.DetectionResult);
    }

    [Benchmark(Baseline = true)]
    public DetectionResult? DeserializeResultOnly() => JsonSerializer.Deserialize(_result, ContractsJsonContext.Default.DetectionResult);

    [Benchmark]
    public DetectionResult? ReadResultWithTypedErrors() => _results.TryRead(_result, out var value, out _) ? value : null;

    [Benchmark]
    public Transaction? ReadTransactionWithTypedErrors() => _transactions.TryRead(_transaction, out var value, out _) ? value : null;
}
