using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain;
using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.PostgreSql.Persistence;

/// <summary>
/// Writes one batch to PostgreSQL in one transaction and three round trips besides the commit: the staging table (made
/// once per connection, since the persistence fleet's pool does not reset connections, and only checked afterwards), a binary COPY of the alerts into it, and
/// one batch of statements that takes the users' case locks, inserts the new alerts with their cases and updates
/// fraud_cases, user_accounts and system_audit_log from exactly those, and records the batch's span of each partition.
/// </summary>
/// <param name="dataSource">The fleet's PostgreSQL.</param>
/// <param name="caseWindowMinutes">
/// How far apart a user's alerts may be detected and still form one case (sql/postgres/0011_fraud_cases.sql;
/// <c>Persistence:CaseWindowMinutes</c>).
/// </param>
public sealed class AlertWriter(NpgsqlDataSource dataSource, int caseWindowMinutes = AlertWriter.DefaultCaseWindowMinutes)
{
    public const int DefaultCaseWindowMinutes = 60;

    private static readonly string Staging = Query("alert_staging.sql");
    private static readonly string LockCaseUsers = Query("lock_case_users.sql");
    private static readonly string WriteAlerts = Query("write_alerts.sql");
    private static readonly string RecordProgress = Query("record_progress.sql");
    private static readonly string ReadProgress = Query("read_progress.sql");
    private static readonly IReadOnlyDictionary<(string Topic, int Partition), long> NoSuspicion = new Dictionary<(string Topic, int Partition), long>();

    /// <summary>Writes the alerts among <paramref name="results"/> and the batch's spans; returns how many alerts were new.</summary>
    public Task<int> WriteAsync(
        IReadOnlyList<PersistableResult> results, IReadOnlyList<PartitionSpan> spans, string consumerGroup, string worker, CancellationToken cancellationToken) =>
        WriteAsync(results, spans, NoSuspicion, consumerGroup, worker, cancellationToken);

    /// <summary>
    /// Writes the alerts among <paramref name="results"/> and the batch's spans, with how far each partition's results
    /// must still be looked up for repeats (<paramref name="repeatSuspectUntil"/>, by partition; absent: -1); returns
    /// how many alerts were new.
    /// </summary>
    public async Task<int> WriteAsync(
        IReadOnlyList<PersistableResult> results,
        IReadOnlyList<PartitionSpan> spans,
        IReadOnlyDictionary<(string Topic, int Partition), long> repeatSuspectUntil,
        string consumerGroup,
        string worker,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(repeatSuspectUntil);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var alerts = results.Where(r => r.IsAlert).ToList();
        if (alerts.Count > 0)
        {
            await using (var staging = new NpgsqlCommand(Staging, connection, transaction))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken);
            }

            await CopyAsync(connection, alerts, cancellationToken);
        }

        // One round trip for the rest. The statements still run one after another, each with its own snapshot: the
        // write sees every case committed by whoever held its users' locks before.
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (alerts.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(LockCaseUsers));
            var write = new NpgsqlBatchCommand(WriteAlerts);
            write.Parameters.AddWithValue("worker", worker);
            write.Parameters.AddWithValue("window", TimeSpan.FromMinutes(caseWindowMinutes));
            batch.BatchCommands.Add(write);
        }

        if (spans.Count > 0)
        {
            var progress = new NpgsqlBatchCommand(RecordProgress);
            progress.Parameters.AddWithValue("group", consumerGroup);
            progress.Parameters.AddWithValue("worker", worker);
            progress.Parameters.AddWithValue("topics", spans.Select(s => s.Topic).ToArray());
            progress.Parameters.AddWithValue("partitions", spans.Select(s => s.Partition).ToArray());
            progress.Parameters.AddWithValue("first_offsets", spans.Select(s => s.FirstOffset).ToArray());
            progress.Parameters.AddWithValue("last_offsets", spans.Select(s => s.LastOffset).ToArray());
            progress.Parameters.AddWithValue("min_event_times", spans.Select(s => s.MinEventTime.UtcDateTime).ToArray());
            progress.Parameters.AddWithValue("max_event_times", spans.Select(s => s.MaxEventTime.UtcDateTime).ToArray());
            progress.Parameters.AddWithValue("repeat_suspect_until", spans.Select(s => repeatSuspectUntil.GetValueOrDefault((s.Topic, s.Partition), -1)).ToArray());
            batch.BatchCommands.Add(progress);
        }

        var inserted = 0;
        if (batch.BatchCommands.Count > 0)
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (alerts.Count > 0)
            {
                // The lock statement's one row, then the write's count.
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                inserted = checked((int)reader.GetInt64(0));
            }

            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    /// <summary>The progress recorded for each of <paramref name="partitions"/> by <paramref name="consumerGroup"/>.</summary>
    public async Task<IReadOnlyDictionary<int, RecordedProgress>> ReadProgressAsync(
        string consumerGroup, string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReadProgress);
        command.Parameters.AddWithValue("group", consumerGroup);
        command.Parameters.AddWithValue("topic", topic);
        command.Parameters.AddWithValue("partitions", partitions.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spans = new Dictionary<int, RecordedProgress>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var partition = reader.GetInt32(0);
            var span = new PartitionSpan(
                topic,
                partition,
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4));
            spans[partition] = new RecordedProgress(span, reader.GetInt64(5));
        }

        return spans;
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<PersistableResult> alerts, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY alert_staging (id, transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered, explanation, "
            + "amount, currency, merchant_id, merchant_category, country, model_name, model_version, event_time, detected_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var alert in alerts)
        {
            var result = alert.Result;
            var transaction = alert.Transaction;
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(result.TransactionId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(result.EventId, NpgsqlDbType.Char, cancellationToken);
            await importer.WriteAsync(result.UserId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(SeverityNames.Of(result.Severity), NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(decimal.Round((decimal)result.FraudScore, 4), NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(result.BusinessRulesTriggered.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(JsonSerializer.Serialize(result.Explanation, ContractsJsonContext.Default.DetectionExplanation), NpgsqlDbType.Jsonb, cancellationToken);
            await importer.WriteAsync(transaction.Amount, NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(transaction.Currency, NpgsqlDbType.Char, cancellationToken);
            await importer.WriteAsync(transaction.MerchantId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(transaction.MerchantCategory, NpgsqlDbType.Char, cancellationToken);
            await importer.WriteAsync(transaction.Country, NpgsqlDbType.Char, cancellationToken);
            await importer.WriteAsync(result.ModelName, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(result.ModelVersion, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(transaction.EventTime.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(result.DetectedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static string Query(string name) => EmbeddedSql.Read(typeof(AlertWriter).Assembly, "sql/queries/postgres/" + name);
}
