using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Contracts;
using StreamSentinel.Domain;
using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>Writes performance snapshots into <c>performance_metrics</c>, skipping those it already holds.</summary>
public sealed class PerformanceWriter(ClickHouseDatabase database)
{
    public const string Table = "performance_metrics";

    private static readonly string StoredSnapshotsTemplate =
        EmbeddedSql.Read(typeof(PerformanceWriter).Assembly, "sql/queries/clickhouse/stored_snapshots.sql");

    private static readonly (string Name, string Type, Func<PerformanceSnapshot, KafkaCoordinates, object?> Value)[] Columns =
    [
        ("snapshot_id", "String", (s, _) => s.SnapshotId.ToString()),
        ("worker_id", "String", (s, _) => s.WorkerId),
        ("worker_kind", "String", (s, _) => s.WorkerKind),
        ("interval_start", "DateTime", (s, _) => s.IntervalStart.UtcDateTime),
        ("interval_end", "DateTime", (s, _) => s.IntervalEnd.UtcDateTime),
        ("interval_seconds", "Float64", (s, _) => (s.IntervalEnd - s.IntervalStart).TotalSeconds),
        ("messages_in", "UInt64", (s, _) => (ulong)s.MessagesIn),
        ("messages_out", "UInt64", (s, _) => (ulong)s.MessagesOut),
        ("batches", "UInt64", (s, _) => (ulong)s.Batches),
        ("batch_size_avg", "Float64", (s, _) => s.BatchSizeAvg),
        ("batch_size_max", "UInt64", (s, _) => (ulong)s.BatchSizeMax),
        ("flush_count", "UInt64", (s, _) => (ulong)(s.FlushLatencyMs?.Count ?? 0)),
        ("flush_p50_ms", "Nullable(Float64)", (s, _) => s.FlushLatencyMs?.P50),
        ("flush_p95_ms", "Nullable(Float64)", (s, _) => s.FlushLatencyMs?.P95),
        ("flush_p99_ms", "Nullable(Float64)", (s, _) => s.FlushLatencyMs?.P99),
        ("flush_max_ms", "Nullable(Float64)", (s, _) => s.FlushLatencyMs?.Max),
        ("e2e_count", "UInt64", (s, _) => (ulong)(s.EndToEndLatencyMs?.Count ?? 0)),
        ("e2e_p50_ms", "Nullable(Float64)", (s, _) => s.EndToEndLatencyMs?.P50),
        ("e2e_p95_ms", "Nullable(Float64)", (s, _) => s.EndToEndLatencyMs?.P95),
        ("e2e_p99_ms", "Nullable(Float64)", (s, _) => s.EndToEndLatencyMs?.P99),
        ("e2e_max_ms", "Nullable(Float64)", (s, _) => s.EndToEndLatencyMs?.Max),
        ("consumer_lag", "Nullable(Int64)", (s, _) => s.ConsumerLag),
        ("errors", "UInt64", (s, _) => (ulong)s.Errors),
        ("dead_lettered", "UInt64", (s, _) => (ulong)s.DeadLettered),
        ("dropped", "UInt64", (s, _) => (ulong)s.Dropped),
        ("kafka_topic", "String", (_, c) => c.Topic),
        ("kafka_partition", "Int32", (_, c) => c.Partition),
        ("kafka_offset", "Int64", (_, c) => c.Offset),
    ];

    private static readonly string[] ColumnNames = [.. Columns.Select(c => c.Name)];
    private static readonly Dictionary<string, string> ColumnTypes = Columns.ToDictionary(c => c.Name, c => c.Type);

    public async Task<long> InsertAsync(IReadOnlyList<(PerformanceSnapshot Snapshot, KafkaCoordinates Source)> snapshots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0)
        {
            return 0;
        }

        return await database.Client.InsertBinaryAsync(
            Table,
            ColumnNames,
            snapshots.Select(s => Columns.Select(c => c.Value(s.Snapshot, s.Source)).ToArray()),
            // As for results: explicit types (18.16 cannot answer the driver's probe), no compressor, one request.
            new InsertOptions { ColumnTypes = ColumnTypes, Compressor = null, BatchSize = Math.Max(snapshots.Count, 1) },
            cancellationToken);
    }

    /// <summary>The ids among <paramref name="snapshots"/> that the table already holds.</summary>
    public async Task<HashSet<Guid>> StoredAsync(IReadOnlyList<PerformanceSnapshot> snapshots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        var stored = new HashSet<Guid>();
        // 18.16 parses at most 256 KiB of query text: a thousand ids per query stays well under.
        foreach (var chunk in snapshots.Chunk(1000))
        {
            var sql = StoredSnapshotsTemplate
                .Replace("{snapshot_ids}", string.Join(", ", chunk.Select(s => ClickHouseLiteral.Text(s.SnapshotId.ToString()))), StringComparison.Ordinal)
                .Replace("{min_interval_end}", ClickHouseLiteral.DateTime(chunk.Min(s => s.IntervalEnd)), StringComparison.Ordinal)
                .Replace("{max_interval_end}", ClickHouseLiteral.DateTime(chunk.Max(s => s.IntervalEnd).AddSeconds(1)), StringComparison.Ordinal);
            foreach (var row in await database.QueryTsvAsync(sql, cancellationToken))
            {
                stored.Add(Guid.Parse(row[0]));
            }
        }

        return stored;
    }
}
