using System.Globalization;

namespace StreamSentinel.Contracts.Serialization;

/// <summary>The semantic checks of the operational contracts: audit events and performance snapshots.</summary>
public static class OperationalValidation
{
    /// <summary>Audit entity ids may be longer than other ids (a consumer group, a topic with partitions).</summary>
    private const int MaxEntityIdLength = 256;

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static MessageError? Validate(AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        if (audit.EventId == Guid.Empty)
        {
            return MessageError.Invalid("event_id", "is the empty UUID");
        }

        return Time(audit.OccurredAt, "occurred_at")
            ?? Text(audit.Actor, "actor", ContractValidation.MaxIdLength)
            ?? Name(audit.Action, "action")
            ?? Name(audit.EntityType, "entity_type")
            ?? Text(audit.EntityId, "entity_id", MaxEntityIdLength)
            ?? (audit.Details is null ? MessageError.Missing("details") : null);
    }

    public static MessageError? Validate(PerformanceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.SnapshotId == Guid.Empty)
        {
            return MessageError.Invalid("snapshot_id", "is the empty UUID");
        }

        var error = Text(snapshot.WorkerId, "worker_id", ContractValidation.MaxIdLength)
            ?? (WorkerKinds.All.Contains(snapshot.WorkerKind)
                ? null
                : MessageError.Invalid("worker_kind", $"is '{snapshot.WorkerKind}', not one of {string.Join(", ", WorkerKinds.All)}"))
            ?? Time(snapshot.IntervalStart, "interval_start")
            ?? Time(snapshot.IntervalEnd, "interval_end");
        if (error is not null)
        {
            return error;
        }

        if (snapshot.IntervalEnd < snapshot.IntervalStart)
        {
            return MessageError.Invalid("interval_end", "is before interval_start");
        }

        foreach (var (value, field) in new[]
        {
            (snapshot.MessagesIn, "messages_in"), (snapshot.MessagesOut, "messages_out"), (snapshot.Batches, "batches"),
            (snapshot.BatchSizeMax, "batch_size_max"), (snapshot.Errors, "errors"), (snapshot.DeadLettered, "dead_lettered"),
            (snapshot.Dropped, "dropped"), (snapshot.ConsumerLag ?? 0, "consumer_lag"),
        })
        {
            if (value < 0)
            {
                return MessageError.Invalid(field, $"is {value.ToString(CultureInfo.InvariantCulture)}, a count cannot be negative");
            }
        }

        if (!double.IsFinite(snapshot.BatchSizeAvg) || snapshot.BatchSizeAvg < 0)
        {
            return MessageError.Invalid("batch_size_avg", "is not a non-negative number");
        }

        return Latency(snapshot.FlushLatencyMs, "flush_latency_ms") ?? Latency(snapshot.EndToEndLatencyMs, "end_to_end_latency_ms");
    }

    private static MessageError? Latency(LatencySummary? latency, string field)
    {
        if (latency is null)
        {
            return null;
        }

        double[] values = [latency.P50, latency.P95, latency.P99, latency.Max];
        if (latency.Count <= 0 || values.Any(v => !double.IsFinite(v) || v < 0))
        {
            return MessageError.Invalid(field, "needs a positive count and non-negative, finite percentiles");
        }

        return latency.P50 <= latency.P95 && latency.P95 <= latency.P99 && latency.P99 <= latency.Max
            ? null
            : MessageError.Invalid(field, "has percentiles out of order (p50 <= p95 <= p99 <= max)");
    }

    private static MessageError? Time(DateTimeOffset value, string field) =>
        value >= Earliest && value < Latest ? null : MessageError.Invalid(field, $"is {value:O}, outside 2000..2100");

    private static MessageError? Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return MessageError.Missing(field);
        }

        if (value.Length > maxLength)
        {
            return MessageError.Invalid(field, $"is {value.Length} characters long, over {maxLength}");
        }

        return value.Any(char.IsControl) ? MessageError.Invalid(field, "contains a control character") : null;
    }

    // Actions and entity types are dotted snake_case names: they are grouped and filtered on, never free text.
    private static MessageError? Name(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return MessageError.Missing(field);
        }

        return value.Length <= 64 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.')
            ? null
            : MessageError.Invalid(field, $"is '{(value.Length <= 16 ? value : value[..16] + "…")}', not a lower-case dotted name of at most 64 characters");
    }
}
