using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.Cli.Bench;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Hosting.Configuration;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>bench persistence</c> and <c>bench detection</c>: each fleet's throughput beside what its stores do on their own.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Results per run.", DefaultValueFactory = _ => 200_000 };
        var partitions = new Option<int>("--partitions")
        {
            Description = "Partitions of the benchmark's own results topic; the development broker keeps ~5 MiB each, so 1M results need ~96.",
            DefaultValueFactory = _ => 48,
        };
        var workers = new Option<int[]>("--workers") { Description = "Worker counts to drain with, in turn.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var batchSizes = new Option<int[]>("--batch-sizes") { Description = "Batch sizes to drain with, in turn.", DefaultValueFactory = _ => [5000], AllowMultipleArgumentsPerToken = true };
        var persistence = new Command(
            "persistence",
            "Produce results to a development broker of its own, drain them with 1 and then 2 workers into fresh databases (at 2% and at 20% alerts), "
            + "and time ClickHouse's Kafka engine consuming the same topic, ClickHouse inserting the same rows from TabSeparated text and "
            + "PostgreSQL COPYing the alerts. Prints results/s, "
            + "rows/s per store, flush latency, peak RSS and the ratios.")
        {
            count, partitions, workers, batchSizes,
        };
        persistence.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, _ => { }, async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var benchmark = new PersistenceBenchmark(
                ConnectionStrings.Required(configuration, "Postgres"),
                ConnectionStrings.Required(configuration, "ClickHouse"),
                ConnectionStrings.Required(configuration, "Redis"),
                Console.Out,
                services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category));
            var rows = await benchmark.RunAsync(
                parse.GetValue(count), parse.GetValue(partitions), [0.02, 0.2], parse.GetValue(workers)!, parse.GetValue(batchSizes)!, cancellationToken);
            Print(rows);
            return 0;
        }));
        return new Command("bench", "Benchmarks that print figures measured on this machine.") { persistence, CreateDetection(), CreateGateway(), CreateConsoleQueue() };
    }

    private static Command CreateDetection()
    {
        var count = new Option<int>("--count") { Description = "Transactions of the backlog one worker drains.", DefaultValueFactory = _ => 200_000 };
        var rate = new Option<double[]>("--rates") { Description = "Transactions per second of the paced runs, in turn.", DefaultValueFactory = _ => [5_000, 10_000, 20_000], AllowMultipleArgumentsPerToken = true };
        var seconds = new Option<int>("--seconds") { Description = "Length of each paced run.", DefaultValueFactory = _ => 20 };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the benchmark's own topics.", DefaultValueFactory = _ => 12 };
        var batchSize = new Option<int>("--batch-size") { Description = "The worker's batch size.", DefaultValueFactory = _ => 2000 };
        var drainOnly = new Option<bool>("--drain-only") { Description = "Only the drain (no paced run, no redis-benchmark)." };
        var detection = new Command(
            "detection",
            "One detection worker on a development broker of its own: transactions/s draining a backlog of simulated traffic, with Redis's "
            + "commands and CPU per transaction, then latency (P50, P99, P99.9, from the transaction's production to its result's) at fixed "
            + "rates, the memory user state takes per user, and redis-benchmark on the same Redis.")
        {
            count, rate, seconds, partitions, batchSize, drainOnly,
        };
        detection.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, _ => { }, async services =>
        {
            var benchmark = new DetectionBenchmark(ConnectionStrings.Required(services.GetRequiredService<IConfiguration>(), "Redis"), Console.Out, services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category))
            {
                BatchSize = parse.GetValue(batchSize),
            };
            var drain = await benchmark.DrainAsync(parse.GetValue(count), parse.GetValue(partitions), cancellationToken);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"drain: {drain.Transactions:N0} transactions in {drain.Seconds:F2} s = {drain.PerSecond:N0} txn/s by one worker; "
                + $"mean batch {drain.MeanBatch:F0}; waiting on Redis {drain.RedisClientSeconds:F2} s ({drain.RedisClientSeconds / drain.Seconds:P0} of the drain); "
                + $"peak RSS {drain.PeakRssMb:F0} MB; {drain.ResidentUsers:N0} users resident at the end"));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  inside Redis: {drain.RedisCommands:N0} commands ({(double)drain.RedisCommands / drain.Transactions:F3} per transaction), "
                + $"{drain.RedisCommandSeconds * 1e6 / drain.Transactions:F2} us of command time and {drain.RedisCpuSeconds * 1e6 / drain.Transactions:F2} us of CPU per transaction"));
            var memory = DetectionBenchmark.MeasureStateMemory(drain.Transactions);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"state memory: {memory.Users:N0} users after {memory.Transactions:N0} simulated transactions, {memory.BytesPerUser:N0} bytes per user on the heap; "
                + $"largest user {memory.LargestBytes:N0} bytes"));
            var (busyNs, quietNs) = DetectionBenchmark.MeasureApplyCost();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"state cost per payment: {busyNs:N0} ns for one user paying 100,000 times a day, {quietNs:N0} ns for users paying 10 times a day "
                + $"(ratio {busyNs / quietNs:F2})"));
            var stages = DetectionBenchmark.MeasureStages(Path.Combine(AppContext.BaseDirectory, "models", "fraud-model.zip"), 100_000);
            Console.WriteLine("one thread, per transaction (no Kafka, no Redis): " + string.Join(", ", stages.Select(s => string.Create(
                CultureInfo.InvariantCulture, $"{s.Stage} {s.Microseconds:F2} us"))) + string.Create(CultureInfo.InvariantCulture, $"; total {stages.Where(s => !s.Stage.StartsWith("of ", StringComparison.Ordinal)).Sum(s => s.Microseconds):F2} us"));
            if (parse.GetValue(drainOnly))
            {
                return 0;
            }

            foreach (var target in parse.GetValue(rate)!)
            {
                var paced = await benchmark.PacedAsync(target, parse.GetValue(seconds), parse.GetValue(partitions), cancellationToken);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"paced: {paced.Transactions:N0} transactions at {paced.AchievedRate:N0}/s (target {paced.TargetRate:N0}): latency P50 {paced.P50Ms:F1} ms, "
                    + $"P99 {paced.P99Ms:F1} ms, P99.9 {paced.P999Ms:F1} ms, max {paced.MaxMs:F1} ms; peak RSS {paced.PeakRssMb:F0} MB"));
            }

            foreach (var line in await benchmark.RedisYardstickAsync(cancellationToken))
            {
                Console.WriteLine("redis-benchmark " + line);
            }

            return 0;
        }));
        return detection;
    }

    private static Command CreateGateway()
    {
        var rates = new Option<double[]>("--rates") { Description = "Request rates to hold, in turn (single-transaction posts per second).", DefaultValueFactory = _ => [1000, 2500, 5000, 10_000], AllowMultipleArgumentsPerToken = true };
        var seconds = new Option<int>("--seconds") { Description = "Length of each step.", DefaultValueFactory = _ => 10 };
        var queue = new Option<int?>("--queue-capacity") { Description = "The gateway's Gateway:QueueCapacity (default its own)." };
        var inFlight = new Option<int?>("--max-in-flight") { Description = "The gateway's Gateway:MaxInFlight (default its own)." };
        var gateway = new Command(
            "gateway",
            "One gateway process on a development broker of its own, loaded from this machine with single-transaction posts at fixed rates "
            + "(open loop: latency counts from each request's due time). Prints accepted/s, 429s, errors and P50/P99/P99.9 per rate.")
        {
            rates, seconds, queue, inFlight,
        };
        gateway.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, _ => { }, async services =>
        {
            var settings = new Dictionary<string, string>();
            if (parse.GetValue(queue) is { } capacity)
            {
                settings["Gateway__QueueCapacity"] = capacity.ToString(CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(inFlight) is { } limit)
            {
                settings["Gateway__MaxInFlight"] = limit.ToString(CultureInfo.InvariantCulture);
            }

            var steps = await new GatewayBenchmark(Console.Out, services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)).RunAsync(parse.GetValue(rates)!, parse.GetValue(seconds), settings, cancellationToken);
            var table = new Table().Border(TableBorder.Simple).AddColumns("target/s", "sent", "accepted/s", "202", "429", "other", "errors", "P50 ms", "P99 ms", "P99.9 ms");
            foreach (var step in steps)
            {
                table.AddRow(
                    F(step.TargetRate), F(step.Sent), F(step.AcceptedPerSecond), F(step.Accepted), F(step.Throttled), F(step.Other), F(step.Errors),
                    step.P50Ms.ToString("F1", CultureInfo.InvariantCulture), step.P99Ms.ToString("F1", CultureInfo.InvariantCulture), step.P999Ms.ToString("F1", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            return 0;
        }));
        return gateway;
    }

    private static Command CreateConsoleQueue()
    {
        var alerts = new Option<int>("--alerts") { Description = "Alerts in the benchmark's own database.", DefaultValueFactory = _ => 2_000_000 };
        var repeats = new Option<int>("--repeats") { Description = "Requests per page (the median is printed).", DefaultValueFactory = _ => 21 };
        var command = new Command(
            "console-queue",
            "The analysts' queues at scale: fill a fresh database with alerts in cases, start a console, and time a page of each queue (GET /api/alerts, /api/cases; "
            + "50 a page) for the first page and for the page halfway down, per filter. Prints medians and their ratio.")
        {
            alerts, repeats,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, _ => { }, async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var rows = await new ConsoleQueueBenchmark(
                ConnectionStrings.Required(configuration, "Postgres"), ConnectionStrings.Required(configuration, "ClickHouse"), configuration["Kafka:BootstrapServers"], Console.Out)
                .RunAsync(parse.GetValue(alerts), parse.GetValue(repeats), cancellationToken);
            var table = new Table().Border(TableBorder.Simple).AddColumns("queue", "matching", "first page ms (p50)", "middle page ms (p50)", "middle / first");
            foreach (var row in rows)
            {
                table.AddRow(
                    Markup.Escape(row.Queue), F(row.Matching), row.FirstPageMs.ToString("F1", CultureInfo.InvariantCulture),
                    row.MiddlePageMs.ToString("F1", CultureInfo.InvariantCulture), row.Ratio.ToString("F2", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static void Print(IReadOnlyList<PersistenceBenchmark.Row> rows)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("run").AddColumn("batch", c => c.RightAligned()).AddColumn("workers", c => c.RightAligned())
            .AddColumn("results", c => c.RightAligned()).AddColumn("seconds", c => c.RightAligned()).AddColumn("results/s", c => c.RightAligned())
            .AddColumn("ClickHouse rows/s", c => c.RightAligned()).AddColumn("alerts/s", c => c.RightAligned())
            .AddColumn("flush p50 ms", c => c.RightAligned()).AddColumn("flush p99 ms", c => c.RightAligned())
            .AddColumn("alert p50 ms", c => c.RightAligned()).AddColumn("alert p99 ms", c => c.RightAligned()).AddColumn("peak RSS MB", c => c.RightAligned())
            .AddColumn("in PostgreSQL s", c => c.RightAligned()).AddColumn("in ClickHouse s", c => c.RightAligned());
        foreach (var row in rows)
        {
            var isClickHouse = row.Run.StartsWith("ClickHouse", StringComparison.Ordinal);
            var isPostgres = row.Run.StartsWith("PostgreSQL", StringComparison.Ordinal);
            table.AddRow(
                Markup.Escape(row.Run),
                row.BatchSize == 0 ? "-" : F(row.BatchSize),
                row.Workers == 0 ? "-" : F(row.Workers),
                F(row.Results),
                row.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                isPostgres ? "-" : F(row.ResultsPerSecond),
                isPostgres ? "-" : F(row.ResultsPerSecond * 3),
                isClickHouse ? "-" : F(row.AlertsPerSecond),
                double.IsNaN(row.P50FlushMs) ? "-" : row.P50FlushMs.ToString("F0", CultureInfo.InvariantCulture),
                double.IsNaN(row.P99FlushMs) ? "-" : row.P99FlushMs.ToString("F0", CultureInfo.InvariantCulture),
                double.IsNaN(row.P50AlertMs) ? "-" : row.P50AlertMs.ToString("F0", CultureInfo.InvariantCulture),
                double.IsNaN(row.P99AlertMs) ? "-" : row.P99AlertMs.ToString("F0", CultureInfo.InvariantCulture),
                double.IsNaN(row.PeakRssMb) ? "-" : row.PeakRssMb.ToString("F0", CultureInfo.InvariantCulture),
                double.IsNaN(row.PostgresSeconds) ? "-" : row.PostgresSeconds.ToString("F2", CultureInfo.InvariantCulture),
                double.IsNaN(row.ClickHouseSeconds) ? "-" : row.ClickHouseSeconds.ToString("F2", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        foreach (var fleet in rows.Where(r => r.Workers > 0))
        {
            var clickHouse = rows.First(r => r.Run.StartsWith("ClickHouse's own insert", StringComparison.Ordinal) && r.Share == fleet.Share);
            var kafkaEngine = rows.First(r => r.Run.StartsWith("ClickHouse Kafka engine", StringComparison.Ordinal) && r.Share == fleet.Share);
            var postgres = rows.First(r => r.Run.StartsWith("PostgreSQL", StringComparison.Ordinal) && r.Share == fleet.Share);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{fleet.Run}, batch {fleet.BatchSize}, {fleet.Workers} worker(s): {fleet.ResultsPerSecond / clickHouse.ResultsPerSecond:F2} x ClickHouse's own insert rate, "
                + $"{fleet.ResultsPerSecond / kafkaEngine.ResultsPerSecond:F2} x its Kafka engine's; "
                + $"alerts at {fleet.Alerts / fleet.PostgresSeconds:N0}/s of PostgreSQL time = {fleet.Alerts / fleet.PostgresSeconds / postgres.AlertsPerSecond:F2} x its COPY rate"));
        }
    }

    private static string F(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
