using ClickHouse.Driver;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain;
using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>An analyst's verdict on an alert, as stored in <c>alert_verdicts</c>.</summary>
public sealed record AlertVerdict(
    Guid VerdictId, string AlertId, string TransactionId, string EventId, string ModelName, string ModelVersion, string Verdict, string Analyst,
    DateTimeOffset DetectedAt, DateTimeOffset DecidedAt, KafkaCoordinates Source);

/// <summary>Writes verdicts into <c>alert_verdicts</c>, skipping those it already holds.</summary>
public sealed class VerdictWriter(ClickHouseDatabase database)
{
    public const string Table = "alert_verdicts";

    private static readonly string StoredTemplate = EmbeddedSql.Read(typeof(VerdictWriter).Assembly, "sql/queries/clickhouse/stored_verdicts.sql");

    private static readonly (string Name, string Type, Func<AlertVerdict, object?> Value)[] Columns =
    [
        ("verdict_id", "String", v => v.VerdictId.ToString()),
        ("alert_id", "String", v => v.AlertId),
        ("transaction_id", "String", v => v.TransactionId),
        ("event_id", "String", v => v.EventId),
        ("model_name", "String", v => v.ModelName),
        ("model_version", "String", v => v.ModelVersion),
        ("verdict", "Enum8('CONFIRMED_FRAUD' = 1, 'FALSE_POSITIVE' = 2)", v => v.Verdict),
        ("analyst", "String", v => v.Analyst),
        ("detected_at", "DateTime", v => v.DetectedAt.UtcDateTime),
        ("decided_at", "DateTime", v => v.DecidedAt.UtcDateTime),
        ("kafka_topic", "String", v => v.Source.Topic),
        ("kafka_partition", "Int32", v => v.Source.Partition),
        ("kafka_offset", "Int64", v => v.Source.Offset),
    ];

    private static readonly string[] ColumnNames = [.. Columns.Select(c => c.Name)];
    private static readonly Dictionary<string, string> ColumnTypes = Columns.ToDictionary(c => c.Name, c => c.Type);

    /// <summary>Inserts the verdicts the table does not hold yet (asked on every call); returns how many were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<AlertVerdict> verdicts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        if (verdicts.Count == 0)
        {
            return 0;
        }

        var stored = new HashSet<Guid>();
        foreach (var chunk in verdicts.Chunk(1000))
        {
            var sql = StoredTemplate.Replace("{verdict_ids}", string.Join(", ", chunk.Select(v => ClickHouseLiteral.Text(v.VerdictId.ToString()))), StringComparison.Ordinal);
            foreach (var row in await database.QueryTsvAsync(sql, cancellationToken))
            {
                stored.Add(Guid.Parse(row[0]));
            }
        }

        var rows = verdicts.Where(v => stored.Add(v.VerdictId)).ToList();
        if (rows.Count > 0)
        {
            await database.Client.InsertBinaryAsync(
                Table,
                ColumnNames,
                rows.Select(v => Columns.Select(c => c.Value(v)).ToArray()),
                new InsertOptions { ColumnTypes = ColumnTypes, Compressor = null, BatchSize = rows.Count },
                cancellationToken);
        }

        return rows.Count;
    }
}
