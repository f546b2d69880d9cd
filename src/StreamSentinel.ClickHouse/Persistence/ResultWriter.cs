using System.Globalization;
using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain;
using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>Bulk writes of results into ClickHouse: one binary insert per table per batch.</summary>
public sealed class ResultWriter(ClickHouseDatabase database)
{
    private static readonly string ExistingOffsetsTemplate =
        EmbeddedSql.Read(typeof(ResultWriter).Assembly, "sql/queries/clickhouse/existing_offsets.sql");

    private static readonly string StoredEventsTemplate =
        EmbeddedSql.Read(typeof(ResultWriter).Assembly, "sql/queries/clickhouse/stored_events.sql");

    /// <summary>Inserts <paramref name="results"/> into <paramref name="table"/> in one request; returns the rows written.</summary>
    public async Task<long> InsertAsync(ResultTable table, IReadOnlyList<PersistableResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return 0;
        }

        // The rows in RowBinary, written straight into one pooled buffer (no boxed values, no row arrays), sent as one
        // uncompressed request (18.16 rejects the driver's zstd): one insert, one set of parts.
        using var buffer = new RowBinaryBuffer(results.Count * 256);
        foreach (var result in results)
        {
            table.WriteRow(buffer, result);
        }

        await using var body = buffer.AsStream();
        using var response = await database.Client.InsertRawStreamAsync(table.Name, body, "RowBinary", table.Columns, false, new QueryOptions(), cancellationToken);
        response.EnsureSuccessStatusCode();
        return results.Count;
    }

    /// <summary>The offsets within <paramref name="span"/> that <paramref name="table"/> already holds, with their event ids.</summary>
    public async Task<Dictionary<long, string>> ExistingOffsetsAsync(ResultTable table, PartitionSpan span, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(span);
        var sql = ExistingOffsetsTemplate
            .Replace("{table}", ClickHouseLiteral.Identifier(table.Name), StringComparison.Ordinal)
            .Replace("{topic}", ClickHouseLiteral.Text(span.Topic), StringComparison.Ordinal)
            .Replace("{partition}", ClickHouseLiteral.Number(span.Partition), StringComparison.Ordinal)
            .Replace("{first_offset}", ClickHouseLiteral.Number(span.FirstOffset), StringComparison.Ordinal)
            .Replace("{last_offset}", ClickHouseLiteral.Number(span.LastOffset), StringComparison.Ordinal)
            // DateTime columns keep whole seconds: widen the bounds to the seconds that contain them.
            .Replace("{min_event_time}", ClickHouseLiteral.DateTime(span.MinEventTime), StringComparison.Ordinal)
            .Replace("{max_event_time}", ClickHouseLiteral.DateTime(span.MaxEventTime.AddSeconds(1)), StringComparison.Ordinal);
        var rows = await database.QueryTsvAsync(sql, cancellationToken);
        var existing = new Dictionary<long, string>();
        foreach (var row in rows)
        {
            existing[long.Parse(row[0], CultureInfo.InvariantCulture)] = row[1];
        }

        return existing;
    }

    /// <summary>Where <c>detection_results</c> already holds the events of <paramref name="results"/>, by event id.</summary>
    public async Task<Dictionary<string, List<KafkaCoordinates>>> StoredEventsAsync(IReadOnlyList<PersistableResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        var stored = new Dictionary<string, List<KafkaCoordinates>>(StringComparer.Ordinal);
        // A few hundred ids at most per query: 18.16 parses at most 256 KiB of query text.
        foreach (var chunk in results.Chunk(1000))
        {
            var sql = StoredEventsTemplate
                .Replace("{event_ids}", string.Join(", ", chunk.Select(r => ClickHouseLiteral.Text(r.Result.EventId)).Distinct()), StringComparison.Ordinal)
                .Replace("{min_event_time}", ClickHouseLiteral.DateTime(chunk.Min(r => r.Transaction.EventTime)), StringComparison.Ordinal)
                .Replace("{max_event_time}", ClickHouseLiteral.DateTime(chunk.Max(r => r.Transaction.EventTime).AddSeconds(1)), StringComparison.Ordinal);
            foreach (var row in await database.QueryTsvAsync(sql, cancellationToken))
            {
                var at = new KafkaCoordinates(row[1], int.Parse(row[2], CultureInfo.InvariantCulture), long.Parse(row[3], CultureInfo.InvariantCulture));
                if (!stored.TryGetValue(row[0], out var list))
                {
                    stored[row[0]] = list = [];
                }

                list.Add(at);
            }
        }

        return stored;
    }
}
