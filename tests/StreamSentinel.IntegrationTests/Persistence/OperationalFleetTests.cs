using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;

namespace StreamSentinel.IntegrationTests.Persistence;

/// <summary>
/// The operational streams through the real entry point: workers publish their snapshots and audit events, a
/// persistence worker is killed and replaced, and every event and snapshot that reached Kafka is stored once.
/// </summary>
public sealed class OperationalFleetTests
{
    [Test]
    public async Task Snapshots_and_audit_events_are_stored_once_across_a_kill_9_and_poison_is_dead_lettered()
    {
        await using var pipeline = await PipelineFixture.StartAsync();
        var poison = await ProducePoisonAsync(pipeline);
        var victim = await pipeline.StartWorkerAsync("victim", batchSize: 200);
        await pipeline.GenerateAsync(count: 10_000, seed: 31, alertShare: 0.1);

        // Some of the victim's snapshots are stored (so some of its operational offsets are committed) before it dies.
        await PipelineFixture.WaitForAsync(async () => await pipeline.ClickHouseScalarAsync("SELECT count() FROM performance_metrics WHERE worker_id = 'victim'") >= 3, TimeSpan.FromMinutes(1));
        victim.Kill();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var successor = await pipeline.StartWorkerAsync("successor", batchSize: 200);
        // Judged once the operational streams hold enough to judge (the successor's snapshots come on their own clock,
        // however fast the results are stored).
        await PipelineFixture.WaitForAsync(async () => await pipeline.ClickHouseScalarAsync("SELECT count() FROM performance_metrics") >= 10, TimeSpan.FromMinutes(2));
        var report = await pipeline.VerifyUntilPassedAsync(TimeSpan.FromMinutes(3));
        // Stop the successor cleanly: its last snapshot and worker.stopped go out as it leaves.
        successor.Terminate();
        Assert.That(await successor.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True);

        Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
        Assert.That(report.Output, Does.Match(@"postgres system_audit_log \(audit-events\)\s+\d{2,}").And.Match(@"clickhouse performance_metrics\s+\d{2,}"));
        var deadLetters = ReadDeadLetters(pipeline, poison.Count);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deadLetters, Is.EquivalentTo(poison));
            Assert.That(await pipeline.ClickHouseScalarAsync("SELECT count() - uniqExact(snapshot_id) FROM performance_metrics"), Is.Zero);
            Assert.That(await pipeline.ClickHouseScalarAsync("SELECT sum(messages_out) FROM performance_metrics WHERE worker_id = 'successor'"), Is.GreaterThan(0));
            Assert.That(await pipeline.PostgresScalarAsync("SELECT count(*) FROM system_audit_log WHERE actor = 'persistence/victim' AND action = 'worker.started'"), Is.EqualTo(1));
            Assert.That(await pipeline.PostgresScalarAsync("SELECT count(*) FROM system_audit_log WHERE actor = 'persistence/victim' AND action = 'worker.stopped'"), Is.Zero, "kill -9 says nothing");
            Assert.That(await pipeline.PostgresScalarAsync("SELECT count(*) FROM system_audit_log WHERE actor = 'persistence/successor' AND action = 'partitions.assigned'"), Is.GreaterThanOrEqualTo(2), "both groups");
            Assert.That(await pipeline.PostgresScalarAsync("SELECT count(*) - count(DISTINCT event_id) FROM system_audit_log WHERE event_id IS NOT NULL"), Is.Zero);
            Assert.That(
                await pipeline.PostgresScalarAsync("SELECT count(*) FROM system_audit_log WHERE action = 'messages.dead_lettered' AND entity_id IN ('audit-events', 'performance-metrics')"),
                Is.GreaterThanOrEqualTo(1));
        }

        await pipeline.AssertStoredOnceAsync(10_000, IndependentCounts.GeneratedAlerts(10_000, seed: 31, alertShare: 0.1), deadLetters: 0);
    }

    /// <summary>Bad messages on both operational topics, before any worker runs; returns (topic, reason) for each.</summary>
    private static async Task<List<(string Topic, string Reason)>> ProducePoisonAsync(PipelineFixture pipeline)
    {
        var snapshot = new PerformanceSnapshot
        {
            SnapshotId = Guid.CreateVersion7(),
            WorkerId = "x",
            WorkerKind = WorkerKinds.Detection,
            IntervalStart = DateTimeOffset.UtcNow.AddSeconds(-10),
            IntervalEnd = DateTimeOffset.UtcNow,
        };
        var negative = JsonSerializer.SerializeToNode(snapshot, ContractsJsonContext.Default.PerformanceSnapshot)!.AsObject();
        negative["messages_in"] = -5;
        (string Topic, string Value, string Reason)[] poison =
        [
            (Topics.AuditEvents, "{\"schema_version\": 1, \"event_id\": ", "malformed_json"),
            (Topics.AuditEvents, "{\"schema_version\": 1}", "missing_field"),
            (Topics.AuditEvents, "", "empty"),
            (Topics.PerformanceMetrics, negative.ToJsonString(), "invalid_value"),
            (Topics.PerformanceMetrics, "{\"schema_version\": 3}", "unsupported_schema_version"),
        ];
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build();
        foreach (var (topic, value, _) in poison)
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(value) });
        }

        return [.. poison.Select(p => (p.Topic, p.Reason))];
    }

    private static List<(string Topic, string Reason)> ReadDeadLetters(PipelineFixture pipeline, int expected)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DeadLetters);
        var letters = new List<(string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && letters.Count < expected)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200))?.Message.Headers is { } headers
                && headers.TryGetLastBytes("ss-dlq-original-topic", out var topic)
                && headers.TryGetLastBytes("ss-dlq-reason", out var reason))
            {
                letters.Add((Encoding.UTF8.GetString(topic), Encoding.UTF8.GetString(reason)));
            }
        }

        consumer.Close();
        return letters;
    }
}
