using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Npgsql;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// Judges beside <c>verify</c> that share none of its code: plain counts of what each store holds, against numbers
/// derived from the input alone, so that an exactly-once test does not rest on the product's own report (issue 20).
/// </summary>
internal static class IndependentCounts
{
    private static readonly string[] ResultTables = ["transaction_records", "fraud_features", "detection_results"];

    /// <summary>The routing rule, stated here on its own: MEDIUM, HIGH and CRITICAL results become alerts.</summary>
    public static bool IsAlert(Severity severity) => severity >= Severity.Medium;

    /// <summary>How many of the first <paramref name="count"/> results of <c>generate results</c> the routing rule makes alerts.</summary>
    public static long GeneratedAlerts(int count, int seed, double alertShare)
    {
        var generator = new SyntheticResults(seed, alertShare, DateTimeOffset.UnixEpoch);
        return Enumerable.Range(0, count).Count(_ => IsAlert(generator.Next().Severity));
    }

    /// <summary>
    /// Distinct events among the valid results in the results topic (read to its end as it is when called), and how many
    /// of them the routing rule makes alerts: what the stores must hold when the input is not generated from a seed.
    /// </summary>
    public static (long Events, long Alerts) ProducedResults(string bootstrapServers)
    {
        var reader = ContractReaders.DetectionResults();
        var severities = new Dictionary<string, Severity>(StringComparer.Ordinal);
        ReadToEnd(bootstrapServers, Topics.DetectionResults, message =>
        {
            if (reader.TryRead(message.Message.Value, out var result, out _))
            {
                severities.TryAdd(result.EventId, result.Severity);
            }
        });
        return (severities.Count, severities.Values.Count(IsAlert));
    }

    /// <summary>
    /// Asserts that each ClickHouse results table holds <paramref name="results"/> rows of as many distinct events,
    /// fraud_alerts <paramref name="alerts"/> rows, and that the dead-letter topic has a letter for exactly
    /// <paramref name="deadLetters"/> distinct offsets of the results topic.
    /// </summary>
    public static async Task AssertStoredOnceAsync(
        ClickHouseDatabase clickHouse, string postgres, string bootstrapServers, long results, long alerts, long deadLetters)
    {
        var tables = new Dictionary<string, (long Rows, long Events)>();
        foreach (var table in ResultTables)
        {
            var row = (await clickHouse.QueryTsvAsync($"SELECT count(), uniqExact(event_id) FROM {table}", CancellationToken.None))[0];
            tables[table] = (long.Parse(row[0], CultureInfo.InvariantCulture), long.Parse(row[1], CultureInfo.InvariantCulture));
        }

        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT transaction_id) FROM fraud_alerts", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (alertRows, alertTransactions) = (reader.GetInt64(0), reader.GetInt64(1));
        var letters = DeadLetteredOffsets(bootstrapServers, Topics.DetectionResults);

        using (Assert.EnterMultipleScope())
        {
            foreach (var (table, (rows, events)) in tables)
            {
                Assert.That(rows, Is.EqualTo(results), $"{table}: count()");
                Assert.That(events, Is.EqualTo(results), $"{table}: uniqExact(event_id)");
            }

            Assert.That(alertRows, Is.EqualTo(alerts), "fraud_alerts: count(*)");
            Assert.That(alertTransactions, Is.EqualTo(alerts), "fraud_alerts: distinct transactions");
            Assert.That(letters, Is.EqualTo(deadLetters), $"dead letters of {Topics.DetectionResults}, by original offset");
        }
    }

    /// <summary>Distinct (partition, offset) of <paramref name="originalTopic"/> that have a dead letter.</summary>
    public static long DeadLetteredOffsets(string bootstrapServers, string originalTopic)
    {
        var offsets = new HashSet<(string, string)>();
        ReadToEnd(bootstrapServers, Topics.DeadLetters, message =>
        {
            var headers = message.Message.Headers;
            if (Header(headers, DeadLetterPublisher.TopicHeader) == originalTopic)
            {
                offsets.Add((Header(headers, DeadLetterPublisher.PartitionHeader)!, Header(headers, DeadLetterPublisher.OffsetHeader)!));
            }
        });
        return offsets.Count;
    }

    /// <summary>Every message of <paramref name="topic"/> up to its end as it is when called (30 s at most).</summary>
    private static void ReadToEnd(string bootstrapServers, string topic, Action<ConsumeResult<byte[]?, byte[]?>> visit)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-counts-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        var ends = new Dictionary<int, long>();
        var ranges = new List<TopicPartitionOffset>();
        foreach (var partition in Partitions(consumer, topic))
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            if (watermarks.High.Value > watermarks.Low.Value)
            {
                ends[partition.Partition.Value] = watermarks.High.Value;
                ranges.Add(new TopicPartitionOffset(partition, watermarks.Low));
            }
        }

        consumer.Assign(ranges);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ends.Count > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{topic} stopped delivering before its end");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } message)
            {
                continue;
            }

            if (message.Offset.Value + 1 >= ends[message.Partition.Value])
            {
                ends.Remove(message.Partition.Value);
            }

            visit(message);
        }
    }

    /// <summary>What <paramref name="group"/> has not committed of <paramref name="topic"/>: high watermarks minus committed offsets.</summary>
    public static long Lag(string bootstrapServers, string group, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
        var partitions = Partitions(consumer, topic);
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return partitions.Sum(p =>
        {
            var watermarks = consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10));
            var done = committed.TryGetValue(p.Partition.Value, out var offset) && offset >= 0 ? offset : watermarks.Low.Value;
            return watermarks.High.Value - done;
        });
    }

    /// <summary>The first offset <paramref name="topic"/>'s <paramref name="partition"/> still holds (above 0 once the broker deleted older messages).</summary>
    public static long LowWatermark(string bootstrapServers, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = $"test-counts-{Guid.NewGuid():N}" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).Low.Value;
    }

    /// <summary>How many messages <paramref name="topic"/> holds (high minus low watermarks).</summary>
    public static long Messages(string bootstrapServers, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = $"test-counts-{Guid.NewGuid():N}" }).Build();
        return Partitions(consumer, topic).Sum(p =>
        {
            var watermarks = consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10));
            return watermarks.High.Value - watermarks.Low.Value;
        });
    }

    private static List<TopicPartition> Partitions(IConsumer<byte[]?, byte[]?> consumer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        return [.. admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId))];
    }

    private static string? Header(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var value) ? Encoding.UTF8.GetString(value) : null;
}
