using System.Text.Json;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.Domain.Tests;

public sealed class SyntheticTrafficTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void Same_seed_gives_the_same_results()
    {
        var first = new SyntheticResults(7, 0.1, Start);
        var second = new SyntheticResults(7, 0.1, Start);

        for (var i = 0; i < 100; i++)
        {
            Assert.That(Json(second.Next()), Is.EqualTo(Json(first.Next())));
        }
    }

    [Test]
    public void Every_result_passes_the_contract_and_the_alert_share_is_kept()
    {
        var reader = ContractReaders.DetectionResults();
        var generator = new SyntheticResults(3, 0.2, Start);
        var alerts = 0;
        for (var i = 0; i < 5000; i++)
        {
            var result = generator.Next();
            Assert.That(reader.TryRead(JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult), out _, out var error), Is.True, () => error!.ToString());
            alerts += result.Severity >= Severity.Medium ? 1 : 0;
        }

        Assert.That(alerts / 5000.0, Is.EqualTo(0.2).Within(0.02));
    }

    [Test]
    public void Every_poison_kind_is_refused_with_its_reason()
    {
        var reader = ContractReaders.DetectionResults();
        var valid = new SyntheticResults(5, 0.5, Start).Next();

        foreach (var (kind, reason, payload) in PoisonMessages.Kinds)
        {
            Assert.That(reader.TryRead(payload(valid), out _, out var error), Is.False, kind);
            Assert.That(error!.Code, Is.EqualTo(reason), kind);
        }

        Assert.That(PoisonMessages.Kinds, Has.Count.GreaterThanOrEqualTo(20));
    }

    [Test]
    public void Partition_spans_cover_each_partition_of_a_batch()
    {
        var generator = new SyntheticResults(9, 0.1, Start);
        var results = Enumerable.Range(0, 10).Select(i => new PersistableResult(generator.Next(), new KafkaCoordinates("t", i % 2, 100 + i), false)).ToList();

        var spans = PartitionSpan.Of(results);

        Assert.That(spans.Select(s => (s.Partition, s.FirstOffset, s.LastOffset)), Is.EquivalentTo(new[] { (0, 100L, 108L), (1, 101L, 109L) }));
        Assert.That(spans.All(s => s.MinEventTime <= s.MaxEventTime), Is.True);
    }

    private static string Json(DetectionResult result) => JsonSerializer.Serialize(result, ContractsJsonContext.Default.DetectionResult);
}
