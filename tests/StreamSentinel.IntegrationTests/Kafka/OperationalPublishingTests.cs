using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.IntegrationTests.Kafka;

/// <summary>
/// The publishing side of the operational streams: snapshots built from the worker's own instruments, and a publisher
/// that drops and counts rather than making a worker wait for Kafka.
/// </summary>
public sealed class OperationalPublishingTests
{
    private const string MeterName = "StreamSentinel.Test.Worker";

    private static readonly PerformanceProfile Profile = new(MeterName, new Dictionary<string, SnapshotField>
    {
        ["in"] = SnapshotField.MessagesIn,
        ["out"] = SnapshotField.MessagesOut,
        ["batch"] = SnapshotField.BatchSize,
        ["flush"] = SnapshotField.FlushLatency,
        ["retries"] = SnapshotField.Errors,
        ["lag"] = SnapshotField.ConsumerLag,
    });

    private ServiceProvider _services = null!;

    [SetUp]
    public void CreateMeters() => _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [TearDown]
    public async Task DisposeMetersAsync() => await _services.DisposeAsync();

    [Test]
    public void A_snapshot_sums_its_interval_and_the_next_one_starts_from_zero()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var meter = factory.Create(MeterName);
        var messagesIn = meter.CreateCounter<long>("in");
        var messagesOut = meter.CreateCounter<long>("out");
        var batch = meter.CreateHistogram<int>("batch");
        var flush = meter.CreateHistogram<double>("flush");
        meter.CreateObservableGauge("lag", () => new[] { new Measurement<long>(7), new Measurement<long>(5) });
        // The same names in another host's meter factory (two hosts in one process) must not be counted.
        using var otherHost = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var stranger = otherHost.GetRequiredService<IMeterFactory>().Create(MeterName).CreateCounter<long>("in");
        using var collector = new PerformanceCollector(factory, Profile, TimeProvider.System);

        messagesIn.Add(10);
        messagesIn.Add(5);
        stranger.Add(1000);
        messagesOut.Add(12);
        batch.Record(10);
        batch.Record(5);
        for (var ms = 1; ms <= 1000; ms++)
        {
            flush.Record(ms / 1000.0);
        }

        var first = collector.Take(new WorkerIdentity(WorkerKinds.Detection, "w1"), dropped: 3);
        messagesIn.Add(1);
        var second = collector.Take(new WorkerIdentity(WorkerKinds.Detection, "w1"), dropped: 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.MessagesIn, first.MessagesOut, first.Batches, first.BatchSizeAvg, first.BatchSizeMax), Is.EqualTo((15L, 12L, 2L, 7.5, 10L)));
            // Every value counts (1..1000 ms, so the nearest ranks are exact), at HdrHistogram's resolution of 0.1 %.
            Assert.That((first.FlushLatencyMs!.Count, first.FlushLatencyMs.Max), Is.EqualTo((1000L, 1000.0)));
            Assert.That(first.FlushLatencyMs.P50, Is.EqualTo(500).Within(0.1).Percent);
            Assert.That(first.FlushLatencyMs.P95, Is.EqualTo(950).Within(0.1).Percent);
            Assert.That(first.FlushLatencyMs.P99, Is.EqualTo(990).Within(0.1).Percent);
            Assert.That(first.EndToEndLatencyMs, Is.Null, "nothing measured it");
            Assert.That((first.ConsumerLag, first.Dropped, first.Errors), Is.EqualTo(((long?)12, 3L, 0L)));
            Assert.That((first.WorkerKind, first.WorkerId), Is.EqualTo((WorkerKinds.Detection, "w1")));
            Assert.That(OperationalValidation.Validate(first), Is.Null);
            Assert.That((second.MessagesIn, second.MessagesOut, second.Batches, second.FlushLatencyMs), Is.EqualTo((1L, 0L, 0L, (LatencySummary?)null)));
            Assert.That(second.IntervalStart, Is.EqualTo(first.IntervalEnd), "intervals tile time");
            Assert.That(second.SnapshotId, Is.Not.EqualTo(first.SnapshotId));
        }
    }

    [Test]
    public void Percentiles_of_many_values_come_from_a_bounded_sample_and_stay_close()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var flush = factory.Create(MeterName).CreateHistogram<double>("flush");
        using var collector = new PerformanceCollector(factory, Profile, TimeProvider.System);
        // 200,000 values spread evenly over 0..200 ms, in a shuffled order.
        var random = new Random(5);
        foreach (var value in Enumerable.Range(1, 200_000).OrderBy(_ => random.Next()))
        {
            flush.Record(value / 1_000_000.0);
        }

        var latency = collector.Take(new WorkerIdentity(WorkerKinds.Persistence, "w1"), dropped: 0).FlushLatencyMs!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(latency.Count, Is.EqualTo(200_000));
            Assert.That(latency.Max, Is.EqualTo(200));
            Assert.That(latency.P50, Is.EqualTo(100).Within(10).Percent);
            Assert.That(latency.P95, Is.EqualTo(190).Within(3).Percent);
            Assert.That(latency.P99, Is.EqualTo(198).Within(2).Percent);
        }
    }

    [Test]
    public async Task With_Kafka_unreachable_the_publisher_never_waits_and_counts_every_message_it_drops()
    {
        using var publisher = new OperationalPublisher(
            Options.Create(new KafkaOptions { BootstrapServers = "127.0.0.1:1" }),
            Options.Create(new OperationalOptions { BufferCapacity = 16, MessageTimeoutMs = 1000 }),
            new WorkerIdentity(WorkerKinds.Persistence, "unheard"),
            _services.GetRequiredService<IMeterFactory>(),
            TimeProvider.System,
            NullLogger<OperationalPublisher>.Instance);

        // Nothing takes from the buffer yet: the first 16 wait in it, the rest are refused at once.
        var accepted = Enumerable.Range(0, 100).Count(i => publisher.Audit(AuditActions.WorkerStarted, "worker", $"w{i}"));
        var droppedAtOnce = publisher.TakeDropped();

        // The pump hands the 16 to a producer that cannot reach Kafka: each is dropped when its timeout passes.
        var pump = publisher.PumpAsync(CancellationToken.None);
        publisher.Complete();
        await pump;
        var undelivered = publisher.Flush(TimeSpan.FromSeconds(30));
        var droppedLater = publisher.TakeDropped();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.EqualTo(16));
            Assert.That(droppedAtOnce, Is.EqualTo(84));
            Assert.That(undelivered, Is.Zero, "every message had its delivery report");
            Assert.That(droppedLater, Is.EqualTo(16));
            Assert.That(publisher.TakeDropped(), Is.Zero, "a count is reported once");
        }
    }
}
