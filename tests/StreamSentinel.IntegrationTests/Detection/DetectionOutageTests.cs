using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;

namespace StreamSentinel.IntegrationTests.Detection;

/// <summary>Detection through a Redis outage under load: it stops committing, holds what it reads, and resumes by itself.</summary>
public sealed class DetectionOutageTests
{
    private const int Count = 12_000;
    private const string Group = "stream-sentinel-detection";

    [Test]
    public async Task Redis_crashing_under_load_stops_commits_until_it_is_back_and_nothing_is_lost_or_stored_twice()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 4);
        await using var redis = await PrivateRedis.StartAsync();
        // Small limits, so that the outage reaches them within seconds: a checkpoint every 100 ms, 500 results past it.
        await pipeline.StartDetectionWorkerAsync("d1", settings: new Dictionary<string, string>
        {
            ["SS_REDIS"] = redis.ConnectionString,
            ["Detection__CheckpointIntervalMs"] = "100",
            ["Detection__MaxUncheckpointed"] = "500",
            ["Detection__RetryMaxDelayMs"] = "1000",
        });
        await pipeline.StartWorkerAsync("p1");
        var simulating = pipeline.SimulateAsync(Count, seed: 31, "--users", "800", "--rate", "1500");
        await PipelineFixture.WaitForAsync(() => Task.FromResult(Committed(pipeline) >= 1500), TimeSpan.FromMinutes(2));

        await redis.StopAsync();
        // Whatever was in flight settles, then nothing more may be committed while the state cannot be saved.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var committedEarly = Committed(pipeline);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var committedLate = Committed(pipeline);
        var resultsDuringOutage = PublishedResults(pipeline);
        await redis.StartAgainAsync();
        await simulating;

        var results = DetectionFleetTests.ReadResults(pipeline, r => r.Select(x => x.EventId).Distinct().Count() >= Count);
        var report = await pipeline.VerifyUntilPassedAsync(TimeSpan.FromMinutes(3));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(committedLate, Is.EqualTo(committedEarly), "no commit while Redis is down");
            Assert.That(committedEarly, Is.LessThan(Count), "the outage began mid-stream");
            // Each partition may run 500 results past its last checkpoint, and no further.
            Assert.That(resultsDuringOutage, Is.LessThanOrEqualTo(committedEarly + (4 * 500)), "publishing stops at the partitions' limits");
            Assert.That(results.Select(r => r.EventId).Distinct().Count(), Is.EqualTo(Count), () => pipeline.WorkerLogs());
            Assert.That(Committed(pipeline), Is.EqualTo(Count), "every transaction committed once Redis is back");
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain($"{Count:N0} valid results"));
        }

        var alerts = results.GroupBy(r => r.EventId).Count(g => IndependentCounts.IsAlert(g.First().Severity));
        await pipeline.AssertStoredOnceAsync(Count, alerts, deadLetters: 0);
    }

    // Every result on the topic now: the end offsets of its partitions (the results topic is never compacted or trimmed here).
    private static long PublishedResults(PipelineFixture pipeline)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DetectionResults);
        return Enumerable.Range(0, 4)
            .Sum(p => consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(Topics.DetectionResults, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static long Committed(PipelineFixture pipeline) =>
        ConsumerGroupLag.Read(pipeline.Broker.BootstrapServers, Topics.Transactions, Group, TimeSpan.FromSeconds(10), NullLogger.Instance).Partitions.Sum(p => Math.Max(0, p.Committed));
}
