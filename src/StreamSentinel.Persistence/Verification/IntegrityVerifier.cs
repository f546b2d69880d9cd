using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Persistence.Verification;

/// <summary>
/// Compares what Kafka holds up to the persistence group's committed offsets with every store: each valid result
/// once in each ClickHouse table, each alert once in PostgreSQL (and nothing else there), each poison message once in
/// the dead-letter topic, and view totals equal to their source. Rows are matched by Kafka coordinates and event id,
/// so rows left by an earlier development broker (whose offsets started again from 0) are not mistaken for these.
/// </summary>
public sealed class IntegrityVerifier(
    IOptions<KafkaOptions> kafka,
    IOptions<PersistenceOptions> options,
    SeverityRouter router,
    NpgsqlDataSource postgres,
    ClickHouseDatabase clickHouse,
    ILogger<IntegrityVerifier> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<IntegrityReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var reader = ContractReaders.DetectionResults(options.Value.MaxMessageBytes);
        var expected = new Dictionary<(int Partition, long Offset), (string EventId, string TransactionId, bool IsAlert)>();
        var poison = new HashSet<(int Partition, long Offset)>();
        var kafkaContent = new KafkaContent();
        var (messages, uncommitted, truncated) = ReadCommitted(Topics.DetectionResults, options.Value.ConsumerGroup, (message, committed) =>
        {
            kafkaContent.Earliest = Math.Min(kafkaContent.Earliest, message.Message.Timestamp.UnixTimestampMs);
            var readable = reader.TryRead(message.Message.Value, out var result, out _);
            if (readable)
            {
                kafkaContent.Events.Add(result!.EventId);
            }

            if (!committed)
            {
                // Not committed yet: its rows may be stored already (a batch is written, then committed), and are not strays.
                if (readable)
                {
                    kafkaContent.InFlight[(message.Partition.Value, message.Offset.Value)] = result!.EventId;
                }
            }
            else if (readable)
            {
                expected[(message.Partition.Value, message.Offset.Value)] = (result!.EventId, result.TransactionId, router.IsAlert(result.Severity));
            }
            else
            {
                poison.Add((message.Partition.Value, message.Offset.Value));
            }
        }, includeTail: true);

        // Rows no message accounts for are strays, except when Kafka has deleted old messages (their rows are not
        // strays, only unverifiable) or when the rows are older than every message this broker holds (an earlier
        // development broker's, whose data went with it).
        kafkaContent.StrayCheck = !truncated;

        // A valid result a database refused was dead-lettered instead of stored: it counts as poison, not as lost.
        var allDeadLetters = ReadDeadLetterCounts();
        var deadLetters = allDeadLetters.Where(d => d.Key.Topic == Topics.DetectionResults).ToDictionary(d => (d.Key.Partition, d.Key.Offset), d => d.Value);
        foreach (var key in expected.Keys.Where(deadLetters.ContainsKey).ToList())
        {
            expected.Remove(key);
            poison.Add(key);
        }

        // Detection publishes a result again when its transaction is redelivered: the event's first message is the one
        // each store must hold, once; its repeats must be in no table.
        var repeats = new Dictionary<(int Partition, long Offset), string>();
        foreach (var copies in expected.GroupBy(p => p.Value.EventId, StringComparer.Ordinal).Where(g => g.Skip(1).Any()).ToList())
        {
            foreach (var repeat in copies.OrderBy(p => p.Key.Partition).ThenBy(p => p.Key.Offset).Skip(1))
            {
                repeats[repeat.Key] = repeat.Value.EventId;
                expected.Remove(repeat.Key);
            }
        }

        var checks = new List<StoreCheck>();
        foreach (var table in ResultTable.All)
        {
            checks.Add(await CheckClickHouseTableAsync(table, expected, repeats, kafkaContent, cancellationToken));
        }

        checks.AddRange(await CheckViewsAsync(cancellationToken));
        checks.Add(await CheckAlertsAsync(expected.Values, kafkaContent, cancellationToken));
        checks.Add(CheckDeadLetters(Topics.DetectionResults, poison, deadLetters));
        checks.AddRange(await CheckOperationalAsync(allDeadLetters, cancellationToken));
        checks.Add(await CheckSkippedAsync("kafka: results the group read", Topics.DetectionResults, options.Value.ConsumerGroup, cancellationToken));
        // Transactions detection never read have no result: nothing downstream can expect them.
        checks.Add(await CheckSkippedAsync("kafka: transactions detection read", Topics.Transactions, group: null, cancellationToken));
        return new IntegrityReport(messages, expected.Count, poison.Count, uncommitted, truncated, checks) { Repeats = repeats.Count };
    }

    /// <summary>
    /// Results Kafka deleted before the group read them: lost, though no store can show it (their messages are gone, so
    /// nothing above expects them). The workers record each such gap as it happens (<see cref="OffsetGaps"/>); a gap
    /// recorded twice (a worker died before committing past it, and the next owner saw it again) counts once.
    /// </summary>
    private async Task<StoreCheck> CheckSkippedAsync(string name, string topic, string? group, CancellationToken cancellationToken)
    {
        var ranges = new List<(int Partition, long First, long Last)>();
        await using (var command = postgres.CreateCommand(
            """
            SELECT (details->>'partition')::int, (details->>'first_offset')::bigint, (details->>'last_offset')::bigint
            FROM system_audit_log
            WHERE action = $1 AND entity_type = 'consumer_group' AND ($2::text IS NULL OR entity_id = $2) AND details->>'topic' = $3
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = AuditActions.MessagesSkipped });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)group ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = topic });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ranges.Add((reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        long lost = 0;
        var described = new List<string>();
        foreach (var partition in ranges.GroupBy(r => r.Partition).OrderBy(g => g.Key))
        {
            // The union of the partition's ranges.
            var merged = new List<(long First, long Last)>();
            foreach (var (_, first, last) in partition.OrderBy(r => r.First))
            {
                if (merged.Count > 0 && first <= merged[^1].Last + 1)
                {
                    merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, last));
                }
                else
                {
                    merged.Add((first, last));
                }
            }

            foreach (var (first, last) in merged)
            {
                lost += last - first + 1;
                described.Add(string.Create(CultureInfo.InvariantCulture, $"partition {partition.Key} offsets {first}..{last}"));
            }
        }

        return new StoreCheck(
            name,
            lost,
            0,
            lost,
            0,
            0,
            lost == 0 ? null : $"{lost:N0} messages were deleted from Kafka (retention) before the group read them: {string.Join(", ", described)}");
    }

    private async Task<StoreCheck> CheckClickHouseTableAsync(
        ResultTable table,
        Dictionary<(int Partition, long Offset), (string EventId, string TransactionId, bool IsAlert)> expected,
        Dictionary<(int Partition, long Offset), string> repeats,
        KafkaContent kafkaContent,
        CancellationToken cancellationToken)
    {
        var alertColumn = table == ResultTable.DetectionResults ? "max(is_alert)" : "0";
        var rows = await clickHouse.QueryTsvAsync(
            $"SELECT kafka_partition, kafka_offset, event_id, count(), {alertColumn}, toUnixTimestamp(min(inserted_at)) FROM {ClickHouseLiteral.Identifier(table.Name)} "
            + $"WHERE kafka_topic = {ClickHouseLiteral.Text(Topics.DetectionResults)} GROUP BY kafka_partition, kafka_offset, event_id",
            cancellationToken);
        long found = 0, duplicated = 0, misrouted = 0, strays = 0, older = 0;
        var seen = new HashSet<(int, long)>();
        var seenEvents = new HashSet<string>(StringComparer.Ordinal);
        // Events of this topic stored from messages that are not their committed first one: an earlier run's (before the
        // development broker was restarted), which counts as present since the fleet does not store an event twice, or a
        // second copy of an event stored from its own message too, which is a duplicate.
        var storedElsewhere = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = (int.Parse(row[0], CultureInfo.InvariantCulture), long.Parse(row[1], CultureInfo.InvariantCulture));
            var count = long.Parse(row[3], CultureInfo.InvariantCulture);
            if (repeats.TryGetValue(key, out var repeated) && repeated == row[2])
            {
                duplicated += count; // The event is stored from its first message already.
                continue;
            }

            if (expected.TryGetValue(key, out var message) && message.EventId == row[2])
            {
                seen.Add(key);
                seenEvents.Add(row[2]);
                found += count;
                duplicated += count - 1;
                if (table == ResultTable.DetectionResults && (row[4] == "1") != message.IsAlert)
                {
                    misrouted++;
                }

                continue;
            }

            if (kafkaContent.InFlight.TryGetValue(key, out var inFlight) && inFlight == row[2])
            {
                continue; // Stored, and its offset not committed yet.
            }

            if (kafkaContent.Events.Contains(row[2]))
            {
                storedElsewhere[row[2]] = storedElsewhere.GetValueOrDefault(row[2]) + count;
            }
            else if (!kafkaContent.StrayCheck || long.Parse(row[5], CultureInfo.InvariantCulture) < kafkaContent.EarliestSeconds)
            {
                older += count;
            }
            else
            {
                strays += count; // No message in Kafka has this event: the fleet cannot have stored it.
            }
        }

        var earlier = expected.Count(e => !seen.Contains(e.Key) && storedElsewhere.ContainsKey(e.Value.EventId));
        duplicated += storedElsewhere.Where(e => seenEvents.Contains(e.Key)).Sum(e => e.Value);
        var notes = new List<string>();
        if (earlier > 0)
        {
            notes.Add($"{earlier:N0} events stored once already, from an earlier run's messages");
        }

        if (strays > 0)
        {
            notes.Add($"{strays:N0} rows of events no message in {Topics.DetectionResults} carries");
        }

        if (older > 0)
        {
            notes.Add($"{older:N0} rows of events Kafka no longer holds (stored before its oldest message), not checked");
        }

        return new StoreCheck(
            $"clickhouse {table.Name}", expected.Count, found + earlier, expected.Count - seen.Count - earlier, duplicated, misrouted,
            notes.Count > 0 ? string.Join("; ", notes) : null)
        {
            Unknown = strays,
        };
    }

    private async Task<IReadOnlyList<StoreCheck>> CheckViewsAsync(CancellationToken cancellationToken) =>
    [
        await CompareHourlyAsync(
            "clickhouse view fraud_rate_hourly",
            "SELECT toStartOfHour(event_time) AS h, count(), sum(is_alert) FROM detection_results GROUP BY h",
            "SELECT hour, countMerge(results), sumMerge(alerts) FROM fraud_rate_hourly GROUP BY hour",
            "rows, alerts",
            cancellationToken),
        await CompareHourlyAsync(
            "clickhouse view model_accuracy_hourly",
            "SELECT toStartOfHour(detected_at) AS h, count(), sum(is_alert) FROM detection_results GROUP BY h",
            "SELECT hour, countMerge(results), sumMerge(alerts) FROM model_accuracy_hourly GROUP BY hour",
            "rows, alerts",
            cancellationToken),
    ];

    /// <summary>
    /// A view against its source, hour by hour: whole-table totals would miss a row counted in the wrong hour (one hour
    /// short, another over). Each query returns the hour, a row count, then further totals. Workers still writing make an
    /// insert visible in the table a moment before the view: readings that differ are taken again (up to 5, a second
    /// apart); a row the view really lost or gained differs on every reading.
    /// </summary>
    private async Task<StoreCheck> CompareHourlyAsync(string store, string sourceSql, string viewSql, string columns, CancellationToken cancellationToken)
    {
        Dictionary<string, string[]> source = [], view = [];
        List<string> differing = [];
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            source = (await clickHouse.QueryTsvAsync(sourceSql, cancellationToken)).ToDictionary(r => r[0], r => r[1..], StringComparer.Ordinal);
            view = (await clickHouse.QueryTsvAsync(viewSql, cancellationToken)).ToDictionary(r => r[0], r => r[1..], StringComparer.Ordinal);
            differing = [.. source.Keys.Union(view.Keys).Where(h => !source.TryGetValue(h, out var s) || !view.TryGetValue(h, out var v) || !s.SequenceEqual(v)).Order(StringComparer.Ordinal)];
            if (differing.Count == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        static long Rows(Dictionary<string, string[]> totals, string hour) =>
            totals.TryGetValue(hour, out var values) ? long.Parse(values[0], CultureInfo.InvariantCulture) : 0;

        var hours = source.Keys.Union(view.Keys).ToList();
        var expectedRows = hours.Sum(h => Rows(source, h));
        var viewRows = hours.Sum(h => Rows(view, h));
        var lost = hours.Sum(h => Math.Max(0, Rows(source, h) - Rows(view, h)));
        var extra = hours.Sum(h => Math.Max(0, Rows(view, h) - Rows(source, h)));
        // An hour with the same rows but other totals (alerts, messages) that differ: counted under the wrong figures.
        var otherwise = differing.Count(h => Rows(source, h) == Rows(view, h));
        string Totals(Dictionary<string, string[]> totals, string hour) => totals.TryGetValue(hour, out var values) ? string.Join(", ", values) : "nothing";
        var note = differing.Count == 0
            ? $"every hour equal ({hours.Count:N0}; {columns}): {expectedRows:N0} source rows"
            : $"{differing.Count:N0} of {hours.Count:N0} hours differ ({columns}); first: {differing[0]} source {Totals(source, differing[0])}, view {Totals(view, differing[0])}";
        return new StoreCheck(store, expectedRows, viewRows, lost, extra, otherwise, note);
    }

    private async Task<StoreCheck> CheckAlertsAsync(
        IEnumerable<(string EventId, string TransactionId, bool IsAlert)> results, KafkaContent kafkaContent, CancellationToken cancellationToken)
    {
        var alertIds = new HashSet<string>(StringComparer.Ordinal);
        var otherIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            // By event: transaction ids are the client's and may repeat across payments (issue 18).
            (result.IsAlert ? alertIds : otherIds).Add(result.EventId);
        }

        otherIds.ExceptWith(alertIds);
        long found = 0, misrouted = 0, strays = 0, older = 0;
        await using (var command = postgres.CreateCommand("SELECT event_id, extract(epoch FROM created_at)::bigint FROM fraud_alerts"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                if (alertIds.Contains(id))
                {
                    found++;
                }
                else if (otherIds.Contains(id))
                {
                    misrouted++;
                }
                else if (!kafkaContent.Events.Contains(id))
                {
                    // An alert for an event no result in Kafka carries (unless Kafka deleted it, or an earlier broker held it).
                    if (kafkaContent.StrayCheck && reader.GetInt64(1) >= kafkaContent.EarliestSeconds)
                    {
                        strays++;
                    }
                    else
                    {
                        older++;
                    }
                }
            }
        }

        // fraud_alerts cannot hold an event twice (unique key); what can double is what follows from an alert.
        await using var consistency = postgres.CreateCommand(
            """
            SELECT (SELECT count(*) FROM (SELECT entity_id FROM system_audit_log WHERE action = 'alert.created'
                                          GROUP BY entity_id HAVING count(*) > 1) doubled),
                   (SELECT coalesce(sum(alerts_total), 0) FROM user_accounts) - (SELECT count(*) FROM fraud_alerts)
            """);
        await using var counts = await consistency.ExecuteReaderAsync(cancellationToken);
        await counts.ReadAsync(cancellationToken);
        var doubledAudit = counts.GetInt64(0);
        var accountsSurplus = counts.GetFieldValue<decimal>(1);
        var note = $"audit entries doubled: {doubledAudit}; user_accounts total minus alerts: {accountsSurplus}";
        if (strays > 0)
        {
            note += $"; {strays:N0} alerts for transactions no message in {Topics.DetectionResults} carries";
        }

        if (older > 0)
        {
            note += $"; {older:N0} alerts for transactions Kafka no longer holds, not checked";
        }

        return new StoreCheck(
            "postgres fraud_alerts",
            alertIds.Count,
            found,
            alertIds.Count - found,
            doubledAudit + (long)Math.Abs(accountsSurplus),
            misrouted,
            note)
        {
            Unknown = strays,
        };
    }

    /// <summary>
    /// The operational streams, committed by the operational group: each audit event once in system_audit_log and each
    /// snapshot once in performance_metrics (matched by their own ids), the hourly view equal to its source, and each
    /// poison message of either topic in the dead-letter topic.
    /// </summary>
    private async Task<IReadOnlyList<StoreCheck>> CheckOperationalAsync(Dictionary<(string Topic, int Partition, long Offset), int> deadLetters, CancellationToken cancellationToken)
    {
        var group = options.Value.OperationalConsumerGroup;
        var auditReader = ContractReaders.AuditEvents(options.Value.MaxMessageBytes);
        var snapshotReader = ContractReaders.PerformanceSnapshots(options.Value.MaxMessageBytes);
        var audits = new HashSet<Guid>();
        var snapshots = new HashSet<Guid>();
        var poison = new HashSet<(string Topic, int Partition, long Offset)>();
        ReadCommitted(Topics.AuditEvents, group, message =>
        {
            if (deadLetters.ContainsKey((message.Topic, message.Partition.Value, message.Offset.Value))
                || !auditReader.TryRead(message.Message.Value, out var audit, out _))
            {
                // Unreadable, or refused by PostgreSQL and dead-lettered: either way it belongs in the dead-letter topic.
                poison.Add((message.Topic, message.Partition.Value, message.Offset.Value));
            }
            else
            {
                audits.Add(audit.EventId);
            }
        });
        ReadCommitted(Topics.PerformanceMetrics, group, message =>
        {
            if (snapshotReader.TryRead(message.Message.Value, out var snapshot, out _))
            {
                snapshots.Add(snapshot.SnapshotId);
            }
            else
            {
                poison.Add((message.Topic, message.Partition.Value, message.Offset.Value));
            }
        });

        var storedAudits = new Dictionary<Guid, long>();
        await using (var command = postgres.CreateCommand("SELECT event_id, count(*) FROM system_audit_log WHERE event_id = ANY(@ids) GROUP BY event_id"))
        {
            command.Parameters.AddWithValue("ids", audits.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                storedAudits[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }

        var storedSnapshots = new Dictionary<Guid, long>();
        foreach (var row in await clickHouse.QueryTsvAsync("SELECT snapshot_id, count() FROM performance_metrics GROUP BY snapshot_id", cancellationToken))
        {
            storedSnapshots[Guid.Parse(row[0])] = long.Parse(row[1], CultureInfo.InvariantCulture);
        }

        var hourly = await CompareHourlyAsync(
            "clickhouse view performance_metrics_hourly",
            "SELECT toStartOfHour(interval_end) AS h, count(), sum(messages_in), sum(messages_out) FROM performance_metrics GROUP BY h",
            "SELECT hour, countMerge(snapshots), sumMerge(messages_in), sumMerge(messages_out) FROM performance_metrics_hourly GROUP BY hour",
            "snapshots, in, out",
            cancellationToken);
        var operationalLetters = deadLetters
            .Where(d => d.Key.Topic is Topics.AuditEvents or Topics.PerformanceMetrics)
            .ToDictionary(d => d.Key, d => d.Value);
        return
        [
            ById("postgres system_audit_log (audit-events)", audits, storedAudits),
            ById("clickhouse performance_metrics", snapshots, storedSnapshots),
            hourly,
            CheckDeadLetters("audit-events, performance-metrics", poison, operationalLetters),
        ];
    }

    private static StoreCheck ById(string store, HashSet<Guid> expected, Dictionary<Guid, long> stored)
    {
        var found = expected.Count(stored.ContainsKey);
        var duplicated = expected.Sum(id => Math.Max(0, stored.GetValueOrDefault(id) - 1));
        return new StoreCheck(store, expected.Count, found, expected.Count - found, duplicated, 0);
    }

    private static StoreCheck CheckDeadLetters<TKey>(string topics, HashSet<TKey> poison, Dictionary<TKey, int> counts)
        where TKey : notnull
    {
        // Dead letters are published at least once (a crash between their acknowledgement and the commit publishes
        // them again; Kafka transactions would prevent it, and the development broker cannot emulate them), so
        // extra copies are reported beside the check, not counted as a failure.
        var found = poison.Count(counts.ContainsKey);
        var copies = poison.Sum(p => Math.Max(0L, counts.GetValueOrDefault(p) - 1));
        return new StoreCheck($"kafka fraud-detection-dlq ({topics})", poison.Count, found, poison.Count - found, 0, 0, $"extra copies of a dead letter (at least once): {copies}");
    }

    /// <summary>How many dead letters each original message has, by its topic, partition and offset.</summary>
    private Dictionary<(string Topic, int Partition, long Offset), int> ReadDeadLetterCounts()
    {
        var counts = new Dictionary<(string, int, long), int>();
        ReadAll(Topics.DeadLetters, message =>
        {
            var headers = message.Message.Headers;
            if (Header(headers, DeadLetterPublisher.TopicHeader) is not { } topic)
            {
                return;
            }

            var key = (topic, int.Parse(Header(headers, DeadLetterPublisher.PartitionHeader)!, CultureInfo.InvariantCulture),
                long.Parse(Header(headers, DeadLetterPublisher.OffsetHeader)!, CultureInfo.InvariantCulture));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        });
        return counts;
    }

    /// <summary>Reads every partition of <paramref name="topic"/> from its start to <paramref name="group"/>'s committed offset.</summary>
    private (long Messages, long Uncommitted, bool Truncated) ReadCommitted(string topic, string group, Action<ConsumeResult<byte[]?, byte[]?>> visit) =>
        ReadCommitted(topic, group, (message, committed) => visit(message), includeTail: false);

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from its start to <paramref name="group"/>'s committed offset,
    /// and with <paramref name="includeTail"/> on to its end (the visitor is told whether a message is committed).
    /// </summary>
    private (long Messages, long Uncommitted, bool Truncated) ReadCommitted(
        string topic, string group, Action<ConsumeResult<byte[]?, byte[]?>, bool> visit, bool includeTail)
    {
        using var consumer = Consumer(group);
        var partitions = Partitions(consumer, topic);
        var committed = consumer.Committed(partitions, Timeout).ToDictionary(c => c.Partition.Value, c => c.Offset);
        long uncommitted = 0;
        var truncated = false;
        var ranges = new List<TopicPartitionOffset>();
        var ends = new Dictionary<int, long>();
        var committedEnds = new Dictionary<int, long>();
        foreach (var partition in partitions)
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
            var end = committed.TryGetValue(partition.Partition.Value, out var offset) && offset.Value >= 0 ? offset.Value : watermarks.Low.Value;
            uncommitted += watermarks.High.Value - end;
            truncated |= watermarks.Low.Value > 0;
            committedEnds[partition.Partition.Value] = end;
            var readTo = includeTail ? watermarks.High.Value : end;
            if (readTo > watermarks.Low.Value)
            {
                ranges.Add(new TopicPartitionOffset(partition, watermarks.Low));
                ends[partition.Partition.Value] = readTo;
            }
        }

        long messages = 0;
        Read(consumer, ranges, ends, message =>
        {
            var isCommitted = message.Offset.Value < committedEnds[message.Partition.Value];
            messages += isCommitted ? 1 : 0;
            visit(message, isCommitted);
        });
        return (messages, uncommitted, truncated);
    }

    private void ReadAll(string topic, Action<ConsumeResult<byte[]?, byte[]?>> visit)
    {
        using var consumer = Consumer("stream-sentinel-verify");
        var ranges = new List<TopicPartitionOffset>();
        var ends = new Dictionary<int, long>();
        foreach (var partition in Partitions(consumer, topic))
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
            if (watermarks.High.Value > watermarks.Low.Value)
            {
                ranges.Add(new TopicPartitionOffset(partition, watermarks.Low));
                ends[partition.Partition.Value] = watermarks.High.Value;
            }
        }

        Read(consumer, ranges, ends, visit);
    }

    private static long Read(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> ranges, Dictionary<int, long> ends, Action<ConsumeResult<byte[]?, byte[]?>> visit)
    {
        if (ranges.Count == 0)
        {
            return 0;
        }

        consumer.Assign(ranges);
        long read = 0;
        var open = new HashSet<int>(ends.Keys);
        var idleSince = Environment.TickCount64;
        while (open.Count > 0 && Environment.TickCount64 - idleSince < Timeout.TotalMilliseconds)
        {
            var message = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (message is null)
            {
                continue;
            }

            idleSince = Environment.TickCount64;
            var partition = message.Partition.Value;
            if (message.Offset.Value >= ends[partition])
            {
                open.Remove(partition);
                consumer.Pause([message.TopicPartition]);
                continue;
            }

            visit(message);
            read++;
            if (message.Offset.Value + 1 >= ends[partition])
            {
                open.Remove(partition);
                consumer.Pause([message.TopicPartition]);
            }
        }

        return open.Count == 0 ? read : throw new TimeoutException($"Kafka stopped delivering before the end of partitions {string.Join(", ", open)}.");
    }

    private static List<TopicPartition> Partitions(IConsumer<byte[]?, byte[]?> consumer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single();
        return [.. metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))];
    }

    private IConsumer<byte[]?, byte[]?> Consumer(string group) =>
        new ConsumerBuilder<byte[]?, byte[]?>(kafka.Value.Secure(new ConsumerConfig
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            ClientId = $"{kafka.Value.ClientIdPrefix}-verify",
            // Committed offsets are read for this group; the consumer never joins it (manual assignment, no commits).
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        })).LogTo(logger).Build();

    private static string? Header(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var value) ? Encoding.UTF8.GetString(value) : null;
}
