using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Simulation.Synthetic;

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
        // A result as the persistence workers receive them, with rules fired and an explanation.
        var result = new SyntheticResults(seed: 1, alertShare: 1, new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero)).Next();
        _result = JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult);
        _transaction = JsonSerializer.SerializeToUtf8Bytes(result.Transaction!, ContractsJsonContext.Default.Transaction);
    }

    [Benchmark(Baseline = true)]
    public DetectionResult? DeserializeResultOnly() => JsonSerializer.Deserialize(_result, ContractsJsonContext.Default.DetectionResult);

    [Benchmark]
    public DetectionResult? ReadResultWithTypedErrors() => _results.TryRead(_result, out var value, out _) ? value : null;

    [Benchmark]
    public Transaction? ReadTransactionWithTypedErrors() => _transactions.TryRead(_transaction, out var value, out _) ? value : null;
}
