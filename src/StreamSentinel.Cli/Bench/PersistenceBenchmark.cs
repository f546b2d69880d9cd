using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using Confluent.Kafka;
using NpgsqlTypes;
using StreamSentinel.Cli.Diagnostics;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Migrations;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.Cli.Bench;

/// <summary>
/// End-to-end throughput of the persistence fleet on this machine, beside what the databases ingest on their own:
/// results are produced to a broker of the benchmark's own, drained by 1 and 2 worker processes into fresh
/// databases, and the same rows are then inserted by ClickHouse from TabSeparated text and COPYed into PostgreSQL.
/// </summary>
internal sealed class PersistenceBenchmark(string adminPostgres, string adminClickHouse, string redis, TextWriter output, ILogger kafkaLog)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// One line of the report. <c>PostgresSeconds</c>: time the workers spent in PostgreSQL transactions, summed over
    /// workers; <c>ClickHouseSeconds</c>: time spent inserting into the slowest ClickHouse table, likewise.
    /// </summary>
    public sealed record Row(
        string Run, double Share, int Workers, long Results, long Alerts, double Seconds, double P50FlushMs, double P99FlushMs, double PeakRssMb,
        double PostgresSeconds = double.NaN, double ClickHouseSeconds = double.NaN, int BatchSize = 0, double P50AlertMs = double.NaN, double P99AlertMs = double.NaN)
    {
        public double ResultsPerSecond => Results / Seconds;

        public double AlertsPerSecond => Alerts / Seconds;
    }

    public async Task<IReadOnlyList<Row>> RunAsync(
        int count, int partitions, IReadOnlyList<double> alertShares, IReadOnlyList<int> workerCounts, IReadOnlyList<int> batchSizes, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        foreach (var share in alertShares)
        {
            var topics = Topics.All.ToDictionary(t => t, t => t == Topics.DetectionResults ? partitions : 1);
            using var broker = DevelopmentBroker.Start(1, topics, kafkaLog);
            var produced = ResultProducer.Produce(broker.BootstrapServers, "bench", count, seed: 42, share, poison: 0, CompressionType.Zstd, kafkaLog, cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"produced {produced.Results:N0} results, {produced.Alerts:N0} alerts ({share:P0}), in {produced.Elapsed.TotalSeconds:F1} s"));
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).LogTo(kafkaLog).Build())
            using (var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "probe" }).LogTo(kafkaLog).Build())
            {
                var low = admin.GetMetadata(Topics.DetectionResults, Timeout).Topics[0].Partitions
                    .Select(p => probe.QueryWatermarkOffsets(new TopicPartition(Topics.DetectionResults, p.PartitionId), Timeout).Low.Value).Max();
                if (low > 0)
                {
                    throw new InvalidOperationException($"The development broker dropped messages (low watermark {low}): use more partitions or fewer results.");
                }
            }

            foreach (var batchSize in batchSizes)
            {
                foreach (var workers in workerCounts)
                {
                    rows.Add(await DrainAsync(share, broker.BootstrapServers, workers, batchSize, produced, cancellationToken));
                }
            }

            rows.Add(await KafkaEngineAsync(share, broker.BootstrapServers, partitions, produced.Results, cancellationToken));
            rows.AddRange(await BaselinesAsync(share, count, cancellationToken));
        }

        return rows;
    }

    private async Task<Row> DrainAsync(double share, string bootstrap, int workers, int batchSize, ResultProducer.Produced produced, CancellationToken cancellationToken)
    {
        await using var databases = await ScratchDatabases.CreateAsync(adminPostgres, adminClickHouse, "ss_bench_");
        await databases.Migrator().MigrateAsync(dryRun: false, cancellationToken);
        var group = $"bench-{Guid.NewGuid():N}";
        var processes = new List<BenchWorker>();
        try
        {
            var started = Stopwatch.StartNew();
            for (var i = 0; i < workers; i++)
            {
                processes.Add(StartWorker($"bench-{i + 1}", group, bootstrap, batchSize, databases));
            }

            // Drain time: from the first commit to the last, so process start-up and group join are left out.
            double? firstCommit = null;
            while (true)
            {
                var lag = ConsumerGroupLag.Read(bootstrap, Topics.DetectionResults, group, Timeout, kafkaLog);
                var committed = lag.Partitions.Sum(p => p.Committed);
                if (committed > 0)
                {
                    firstCommit ??= started.Elapsed.TotalSeconds;
                }

                if (lag.Total == 0 && committed > 0)
                {
                    break;
                }

                if (started.Elapsed > TimeSpan.FromMinutes(15) || processes.Any(p => p.Process.HasExited))
                {
                    throw new InvalidOperationException($"The fleet did not drain:\n{string.Join('\n', processes.Select(p => p.Log))}");
                }

                await Task.Delay(100, cancellationToken);
            }

            var seconds = started.Elapsed.TotalSeconds - firstCommit!.Value;
            var scrapes = new List<string>();
            var peakRss = 0.0;
            using var http = new HttpClient();
            foreach (var worker in processes)
            {
                scrapes.Add(await http.GetStringAsync(new Uri(worker.Url + "/metrics"), cancellationToken));
                peakRss = Math.Max(peakRss, worker.PeakRssMb);
            }

            // A batch's flush: each table's insert, PostgreSQL's transaction included, as the workers measured them,
            // added up over the fleet. Alerts: from their poll batch's first message being consumed to their commit in
            // PostgreSQL (the results are produced before the drain, so time spent waiting in Kafka is not in it).
            var latencies = await FleetLatencies.ReadAsync(http, processes.Select(p => p.Url ?? throw new InvalidOperationException("A worker never said where it listens.")), cancellationToken);
            var detectionResults = latencies.Of("stream_sentinel.persistence.flush.duration", "detection_results");
            var alertsVisible = latencies.Of("stream_sentinel.persistence.alert.visible.duration");
            const string flush = "stream_sentinel_persistence_flush_duration_seconds";
            return new Row(
                string.Create(CultureInfo.InvariantCulture, $"fleet, {share:P0} alerts"), share, workers, produced.Results, produced.Alerts, seconds,
                detectionResults.Percentile(50), detectionResults.Percentile(99), peakRss,
                PrometheusText.Sum(scrapes, flush, "db_system=\"postgres\""),
                ResultTable.All.Max(t => PrometheusText.Sum(scrapes, flush, $"db_collection_name=\"{t.Name}\"")),
                batchSize,
                alertsVisible.Percentile(50),
                alertsVisible.Percentile(99));
        }
        finally
        {
            await Task.WhenAll(processes.Select(p => p.StopAsync(cancellationToken)));
            foreach (var worker in processes)
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>
    /// What an SRE would wire up instead of the fleet: ClickHouse's own Kafka table engine consuming the same topic, with a
    /// materialized view into a MergeTree table, timed from the view's creation until every result is in the table.
    /// 18.16's JSONEachRow reads top-level scalar fields only and skips the nested ones, so this peer stores each
    /// result's scalars in one table: less work than the fleet's three tables of ~66 columns, which favours the peer.
    /// </summary>
    private async Task<Row> KafkaEngineAsync(double share, string bootstrap, int partitions, long count, CancellationToken cancellationToken)
    {
        await using var databases = await ScratchDatabases.CreateAsync(adminPostgres, adminClickHouse, "ss_bench_");
        var group = $"bench-kafka-engine-{Guid.NewGuid():N}";
        // A new group starts at the end of the topic: its start is committed first, so that the engine reads the backlog.
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).LogTo(kafkaLog).Build())
        {
            consumer.Commit(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(Topics.DetectionResults, p, 0)));
        }

        const string columns = "event_id String, transaction_id String, user_id String, fraud_score Float64, severity String, "
            + "model_name String, model_version String, detection_latency_ms Float64, detected_at String, correlation_id String";
        var clickHouse = databases.ClickHouse;
        await clickHouse.ExecuteAsync($"CREATE TABLE results_target ({columns}) ENGINE = MergeTree ORDER BY (user_id, event_id)", cancellationToken);
        await clickHouse.ExecuteAsync(
            $"CREATE TABLE results_queue ({columns}) ENGINE = Kafka SETTINGS kafka_broker_list = '{bootstrap}', "
            + $"kafka_topic_list = '{Topics.DetectionResults}', kafka_group_name = '{group}', kafka_format = 'JSONEachRow', kafka_num_consumers = 1",
            cancellationToken);
        var elapsed = Stopwatch.StartNew();
        await clickHouse.ExecuteAsync("CREATE MATERIALIZED VIEW results_consumer TO results_target AS SELECT * FROM results_queue", cancellationToken);
        while (long.Parse((await clickHouse.QueryTsvAsync("SELECT count() FROM results_target", cancellationToken))[0][0], CultureInfo.InvariantCulture) < count)
        {
            if (elapsed.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new InvalidOperationException("ClickHouse's Kafka engine did not read the topic within 10 minutes.");
            }

            await Task.Delay(100, cancellationToken);
        }

        elapsed.Stop();
        // Detached before the scratch database goes, so that its consumer leaves the broker at once.
        await clickHouse.ExecuteAsync("DROP TABLE results_consumer", cancellationToken);
        return new Row(
            string.Create(CultureInfo.InvariantCulture, $"ClickHouse Kafka engine (scalars only), {share:P0}"), share, 0, count, 0, elapsed.Elapsed.TotalSeconds, double.NaN, double.NaN, double.NaN);
    }

    /// <summary>The same rows, written by the databases' own bulk paths: ClickHouse parsing TabSeparated, PostgreSQL's binary COPY.</summary>
    private async Task<IReadOnlyList<Row>> BaselinesAsync(double share, int count, CancellationToken cancellationToken)
    {
        await using var databases = await ScratchDatabases.CreateAsync(adminPostgres, adminClickHouse, "ss_bench_");
        await databases.Migrator().MigrateAsync(dryRun: false, cancellationToken);
        var generator = new SyntheticResults(42, share, DateTimeOffset.UtcNow.AddHours(-1));
        var results = Enumerable.Range(0, count).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 12, i / 12), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        }).ToList();

        // ClickHouse: each table's rows as one TabSeparated body, inserted by the server itself (the text is built first, untimed).
        var bodies = ResultTable.All.Select(table =>
        {
            var text = new StringBuilder();
            foreach (var result in results)
            {
                TabSeparated.AppendRow(text, table.Row(result));
            }

            return (Table: table, Body: Encoding.UTF8.GetBytes(text.ToString()));
        }).ToList();
        var clickHouse = Stopwatch.StartNew();
        foreach (var (table, body) in bodies)
        {
            using var stream = new MemoryStream(body);
            using var response = await databases.ClickHouse.Client.InsertRawStreamAsync(table.Name, stream, "TabSeparated", table.Columns, false, new QueryOptions(), cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        clickHouse.Stop();

        // PostgreSQL: the alert rows COPYed into a plain table of the same columns: the floor of any insert path.
        var alerts = results.Where(r => r.IsAlert).ToList();
        await using var connection = await databases.Postgres.OpenConnectionAsync(cancellationToken);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE copy_baseline (transaction_id text, user_id text, severity text, fraud_score numeric(5,4), amount numeric(18,4), explanation jsonb, detected_at timestamptz)";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var postgres = Stopwatch.StartNew();
        await using (var importer = await connection.BeginBinaryImportAsync("COPY copy_baseline FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var alert in alerts)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(alert.Result.TransactionId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(alert.Result.UserId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(SeverityNames.Of(alert.Result.Severity), NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(decimal.Round((decimal)alert.Result.FraudScore, 4), NpgsqlDbType.Numeric, cancellationToken);
                await importer.WriteAsync(alert.Transaction.Amount, NpgsqlDbType.Numeric, cancellationToken);
                await importer.WriteAsync("{}", NpgsqlDbType.Jsonb, cancellationToken);
                await importer.WriteAsync(alert.Result.DetectedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        postgres.Stop();
        return
        [
            new Row(string.Create(CultureInfo.InvariantCulture, $"ClickHouse's own insert (TSV), {share:P0}"), share, 0, count, 0, clickHouse.Elapsed.TotalSeconds, double.NaN, double.NaN, double.NaN),
            new Row(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL COPY of the alerts, {share:P0}"), share, 0, alerts.Count, alerts.Count, postgres.Elapsed.TotalSeconds, double.NaN, double.NaN, double.NaN),
        ];
    }

    private BenchWorker StartWorker(string instance, string group, string bootstrap, int batchSize, ScratchDatabases databases) =>
        BenchWorker.Start(
            ["run", "persistence", "--instance", instance, "--http-port", "0"],
            new Dictionary<string, string>
            {
                ["SS_POSTGRES"] = databases.PostgresConnectionString,
                ["SS_CLICKHOUSE"] = databases.ClickHouseConnectionString,
                ["SS_REDIS"] = redis,
                ["SS_KAFKA"] = bootstrap,
                ["Persistence__ConsumerGroup"] = group,
                ["Persistence__BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
            });
}
