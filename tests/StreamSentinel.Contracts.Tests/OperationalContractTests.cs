using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Contracts.Tests;

public sealed class OperationalContractTests
{
    private static readonly MessageReader<AuditEvent> Audits = ContractReaders.AuditEvents();
    private static readonly MessageReader<PerformanceSnapshot> Snapshots = ContractReaders.PerformanceSnapshots();

    private static AuditEvent Audit() => new()
    {
        EventId = Guid.Parse("0193a1d2-7c4e-7b3a-9f10-2c8e5d6a7b01"),
        OccurredAt = new DateTimeOffset(2026, 11, 26, 10, 15, 30, 123, TimeSpan.Zero),
        Actor = "persistence/p1",
        Action = AuditActions.PartitionsAssigned,
        EntityType = "consumer_group",
        EntityId = "stream-sentinel-persistence",
        Details = new JsonObject { ["partitions"] = "fraud-detection-results[0,1]", ["count"] = 2 },
    };

    private static PerformanceSnapshot Snapshot() => new()
    {
        SnapshotId = Guid.Parse("0193a1d2-7c4e-7b3a-9f10-2c8e5d6a7b02"),
        WorkerId = "d1",
        WorkerKind = WorkerKinds.Detection,
        IntervalStart = new DateTimeOffset(2026, 11, 26, 10, 15, 20, TimeSpan.Zero),
        IntervalEnd = new DateTimeOffset(2026, 11, 26, 10, 15, 30, TimeSpan.Zero),
        MessagesIn = 5000,
        MessagesOut = 4990,
        Batches = 10,
        BatchSizeAvg = 500,
        BatchSizeMax = 500,
        FlushLatencyMs = new LatencySummary(10, 30.5, 41, 44.25, 44.25),
        EndToEndLatencyMs = new LatencySummary(4990, 55, 120, 160, 181.5),
        ConsumerLag = 12,
        Errors = 1,
        DeadLettered = 10,
        Dropped = 0,
    };

    [Test]
    public void Audit_event_round_trips_with_its_details_as_an_object()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Audit(), ContractsJsonContext.Default.AuditEvent);

        Assert.That(Audits.TryRead(json, out var audit, out var error), Is.True, () => error!.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(audit!.EventId, Is.EqualTo(Audit().EventId));
            Assert.That(audit.OccurredAt, Is.EqualTo(Audit().OccurredAt));
            Assert.That(audit.Details.ToJsonString(), Is.EqualTo(Audit().Details.ToJsonString()));
            var node = JsonNode.Parse(json)!;
            Assert.That(node["entity_type"]!.GetValue<string>(), Is.EqualTo("consumer_group"));
            Assert.That(node["details"]!["count"]!.GetValue<int>(), Is.EqualTo(2));
        }
    }

    [Test]
    public void Performance_snapshot_round_trips_and_an_absent_latency_stays_absent()
    {
        var original = Snapshot() with { FlushLatencyMs = null, ConsumerLag = null };
        var json = JsonSerializer.SerializeToUtf8Bytes(original, ContractsJsonContext.Default.PerformanceSnapshot);

        Assert.That(Snapshots.TryRead(json, out var snapshot, out var error), Is.True, () => error!.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot, Is.EqualTo(original));
            var node = JsonNode.Parse(json)!.AsObject();
            Assert.That(node.ContainsKey("flush_latency_ms"), Is.False);
            Assert.That(node["end_to_end_latency_ms"]!["p99"]!.GetValue<double>(), Is.EqualTo(160));
        }
    }

    [TestCase("actor", "", "missing_field")]
    [TestCase("action", "Partitions Assigned", "invalid_value")]
    [TestCase("entity_type", "", "missing_field")]
    [TestCase("entity_id", "a\u0001b", "invalid_value")]
    [TestCase("event_id", "00000000-0000-0000-0000-000000000000", "invalid_value")]
    [TestCase("occurred_at", "1999-12-31T23:59:59Z", "invalid_value")]
    [TestCase("details", null, "missing_field")]
    public void Audit_event_with_a_bad_field_is_refused_naming_it(string field, string? value, string code)
    {
        var node = JsonSerializer.SerializeToNode(Audit(), ContractsJsonContext.Default.AuditEvent)!.AsObject();
        node[field] = value is null ? null : JsonValue.Create(value);

        Assert.That(Audits.TryRead(Encoding.UTF8.GetBytes(node.ToJsonString()), out _, out var error), Is.False);
        Assert.That((error!.Code, error.Field), Is.EqualTo((code, field)), error.ToString);
    }

    [TestCase("worker_kind", "\"scheduler\"", "invalid_value")]
    [TestCase("worker_id", "\"\"", "missing_field")]
    [TestCase("messages_in", "-1", "invalid_value")]
    [TestCase("interval_end", "\"2026-11-26T10:15:10Z\"", "invalid_value")]
    [TestCase("batch_size_avg", "-0.5", "invalid_value")]
    [TestCase("end_to_end_latency_ms", "{\"count\": 3, \"p50\": 9, \"p95\": 5, \"p99\": 10, \"max\": 10}", "invalid_value")]
    [TestCase("flush_latency_ms", "{\"count\": 0, \"p50\": 1, \"p95\": 1, \"p99\": 1, \"max\": 1}", "invalid_value")]
    [TestCase("messages_out", "\"12\"", "invalid_value")]
    public void Performance_snapshot_with_a_bad_field_is_refused_naming_it(string field, string json, string code)
    {
        var node = JsonSerializer.SerializeToNode(Snapshot(), ContractsJsonContext.Default.PerformanceSnapshot)!.AsObject();
        node[field] = JsonNode.Parse(json);

        Assert.That(Snapshots.TryRead(Encoding.UTF8.GetBytes(node.ToJsonString()), out _, out var error), Is.False);
        Assert.That((error!.Code, error.Field), Is.EqualTo((code, field)), error.ToString);
    }

    [Test]
    public void A_snapshot_of_a_newer_schema_version_is_refused_as_unsupported()
    {
        var node = JsonSerializer.SerializeToNode(Snapshot(), ContractsJsonContext.Default.PerformanceSnapshot)!.AsObject();
        node["schema_version"] = 2;

        Assert.That(Snapshots.TryRead(Encoding.UTF8.GetBytes(node.ToJsonString()), out _, out var error), Is.False);
        Assert.That(error!.Code, Is.EqualTo("unsupported_schema_version"));
    }
}
