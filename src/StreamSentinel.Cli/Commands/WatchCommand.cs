using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.Cli.Diagnostics;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Detection.Options;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.DependencyInjection;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>watch</c>: the pipeline's progress, one line per interval, and a summary when it has caught up.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var interval = new Option<int>("--interval-ms") { Description = "Time between lines.", DefaultValueFactory = _ => 2000 };
        var expect = new Option<long?>("--expect") { Description = "Stop once this many transactions are produced, scored and stored (and print the summary)." };
        var metrics = new Option<string[]>("--worker") { Description = "Base URL of a worker (its /latency), for the fleet's latency percentiles in the summary (repeatable).", AllowMultipleArgumentsPerToken = true };
        var command = new Command(
            "watch",
            "Print, every interval: transactions produced and scored, results published and stored, each group's lag, alerts in PostgreSQL by "
            + "severity and rows in ClickHouse. With --expect N it stops when N transactions went all the way and prints each stage's throughput and, "
            + "from the workers' /metrics, the detection latency percentiles.")
        {
            interval, expect, metrics,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder =>
            {
                builder.AddPersistenceCore();
                builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.SectionName);
            },
            async services =>
            {
                var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers;
                var detectionGroup = services.GetRequiredService<IOptions<DetectionOptions>>().Value.ConsumerGroup;
                var persistenceGroup = services.GetRequiredService<IOptions<PersistenceOptions>>().Value.ConsumerGroup;
                var postgres = services.GetRequiredService<NpgsqlDataSource>();
                var clickHouse = services.GetRequiredService<ClickHouseDatabase>();
                var target = parse.GetValue(expect);
                var clock = Stopwatch.StartNew();
                (long At, long Scored, long Stored)? first = null;
                while (!cancellationToken.IsCancellationRequested)
                {
                    var detection = ConsumerGroupLag.Read(kafka, Topics.Transactions, detectionGroup, TimeSpan.FromSeconds(10), services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category));
                    var persistence = ConsumerGroupLag.Read(kafka, Topics.DetectionResults, persistenceGroup, TimeSpan.FromSeconds(10), services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category));
                    var produced = detection.Partitions.Sum(p => p.End);
                    var scored = detection.Partitions.Sum(p => Math.Max(0, p.Committed));
                    var stored = persistence.Partitions.Sum(p => Math.Max(0, p.Committed));
                    await using var connection = await postgres.OpenConnectionAsync(cancellationToken);
                    var alerts = (await connection.QueryAsync<(string Severity, long Count)>(
                        "SELECT severity, count(*) FROM fraud_alerts GROUP BY severity, severity_rank ORDER BY severity_rank DESC")).ToList();
                    var rows = (await clickHouse.QueryTsvAsync("SELECT count() FROM detection_results", cancellationToken))[0][0];
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{clock.Elapsed.TotalSeconds,5:F0} s  produced {produced,9:N0}  scored {scored,9:N0} (lag {detection.Total,7:N0})  "
                        + $"results {persistence.Partitions.Sum(p => p.End),9:N0}  stored {stored,9:N0} (lag {persistence.Total,7:N0})  "
                        + $"alerts {string.Join(' ', alerts.Select(a => $"{a.Severity} {a.Count:N0}"))}  ClickHouse {long.Parse(rows, CultureInfo.InvariantCulture):N0} rows"));
                    if (produced > 0)
                    {
                        first ??= (clock.ElapsedMilliseconds, scored, stored);
                    }

                    if (target is { } n && produced >= n && detection.Total == 0 && persistence.Total == 0)
                    {
                        var seconds = (clock.ElapsedMilliseconds - first!.Value.At) / 1000.0;
                        Console.WriteLine(string.Create(
                            CultureInfo.InvariantCulture,
                            $"caught up: {n:N0} transactions scored and {stored:N0} results (poison included) stored and committed in {seconds:F1} s since the first was seen: "
                            + $"{(scored - first.Value.Scored) / seconds:N0} scored/s, {(stored - first.Value.Stored) / seconds:N0} stored/s"));
                        await PrintLatencyAsync(parse.GetValue(metrics) ?? [], cancellationToken);
                        return 0;
                    }

                    await Task.Delay(parse.GetValue(interval), cancellationToken);
                }

                return 1;
            }));
        return command;
    }

    private static async Task PrintLatencyAsync(string[] workers, CancellationToken cancellationToken)
    {
        if (workers.Length == 0)
        {
            return;
        }

        using var http = new HttpClient();
        var fleet = await FleetLatencies.ReadAsync(http, workers, cancellationToken);
        Console.WriteLine("detection, intake to result acknowledged: " + FleetLatencies.Describe(fleet.Of("stream_sentinel.detection.end_to_end.duration")));
        Console.WriteLine("persistence, one batch into detection_results: " + FleetLatencies.Describe(fleet.Of("stream_sentinel.persistence.flush.duration", "detection_results")));
    }
}
