using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using StackExchange.Redis;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Detection.Evaluation;
using StreamSentinel.Detection.Model;
using StreamSentinel.Detection.Pipeline;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Detection.State;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Redis.UserState;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Bench;

/// <summary>
/// One detection worker process on a broker of the benchmark's own: its drain rate over a backlog of simulated
/// transactions, then its latency with traffic at a fixed rate, and redis-benchmark on the same Redis as the yardstick.
/// </summary>
internal sealed class DetectionBenchmark(string redis, TextWriter output, ILogger kafkaLog)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int WarmUpSeconds = 5;

    public sealed record Drain(long Transactions, double Seconds, double PeakRssMb, double MeanBatch, double RedisClientSeconds)
    {
        /// <summary>Commands the server ran during the drain, and the time it spent in them (INFO commandstats).</summary>
        public long RedisCommands { get; init; }

        public double RedisCommandSeconds { get; init; }

        /// <summary>CPU the server used during the drain, user and system (INFO cpu): what the commands cost with their I/O.</summary>
        public double RedisCpuSeconds { get; init; }

        /// <summary>Users in the worker's memory at the end (its resident-users gauge).</summary>
        public long ResidentUsers { get; init; }

        public double PerSecond => Transactions / Seconds;
    }

    /// <summary>What user state costs in memory: the simulator's traffic applied in this process, the heap measured before and after.</summary>
    public sealed record StateMemory(long Transactions, int Users, double BytesPerUser, double LargestBytes);

    public sealed record Paced(double TargetRate, long Transactions, double AchievedRate, double P50Ms, double P99Ms, double P999Ms, double MaxMs, double PeakRssMb);

    public int BatchSize { get; init; } = 500;

    public async Task<Drain> DrainAsync(int count, int partitions, CancellationToken cancellationToken)
    {
        using var broker = Broker(partitions);
        var produced = await TransactionProducer.ProduceAsync(
            broker.BootstrapServers, "bench", new TransactionSimulator(new SimulationOptions { Seed = 42 }).Generate(count), 0, null, kafkaLog, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"produced {produced.Transactions:N0} transactions in {produced.Elapsed.TotalSeconds:F1} s"));
        // INFO is an admin command for StackExchange.Redis.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        await using var state = new ScratchState(multiplexer, new UserStateOptions());
        var group = $"bench-{Guid.NewGuid():N}";
        var before = await RedisStatsAsync(multiplexer);
        using var worker = StartWorker(broker.BootstrapServers, group, state.Prefix);
        try
        {
            var started = Stopwatch.StartNew();
            double? firstCommit = null;
            while (true)
            {
                var lag = ConsumerGroupLag.Read(broker.BootstrapServers, Topics.Transactions, group, Timeout, kafkaLog);
                var committed = lag.Partitions.Sum(p => Math.Max(0, p.Committed));
                if (committed > 0)
                {
                    firstCommit ??= started.Elapsed.TotalSeconds;
                }

                if (lag.Total == 0 && committed > 0)
                {
                    break;
                }

                Guard(worker, started);
                await Task.Delay(50, cancellationToken);
            }

            // From the first commit to the last: process start-up, model loading and the group join are left out.
            var seconds = started.Elapsed.TotalSeconds - firstCommit!.Value;
            using var http = new HttpClient();
            var scrape = await http.GetStringAsync(new Uri(worker.Url + "/metrics"), cancellationToken);
            var batches = PrometheusText.Count([scrape], "stream_sentinel_detection_batch_size", "");
            var redisSeconds = PrometheusText.Sum([scrape], "db_client_operation_duration_seconds", "");
            var after = await RedisStatsAsync(multiplexer);
            return new Drain(count, seconds, worker.PeakRssMb, count / batches, redisSeconds)
            {
                RedisCommands = after.Calls - before.Calls,
                RedisCommandSeconds = (after.Microseconds - before.Microseconds) / 1e6,
                RedisCpuSeconds = after.CpuSeconds - before.CpuSeconds,
                ResidentUsers = (long)PrometheusText.Samples(scrape, "stream_sentinel_detection_state_resident_users").Sum(s => s.Value),
            };
        }
        finally
        {
            await worker.StopAsync(cancellationToken);
        }
    }

    public async Task<Paced> PacedAsync(double rate, int seconds, int partitions, CancellationToken cancellationToken)
    {
        using var broker = Broker(partitions);
        await using var state = new ScratchState(await ConnectionMultiplexer.ConnectAsync(redis), new UserStateOptions());
        var group = $"bench-{Guid.NewGuid():N}";
        using var worker = StartWorker(broker.BootstrapServers, group, state.Prefix);
        try
        {
            await worker.WaitForAsync("Assigned", TimeSpan.FromMinutes(2), cancellationToken);
            // Warm up (JIT and tiering in both processes, the model, connections, every user's first load from Redis)
            // with traffic that is not measured, and let the worker catch up with it: what is measured is the steady
            // state at this rate, not a start-up backlog.
            var count = (long)(rate * seconds);
            var warmUp = (long)(rate * WarmUpSeconds);
            var stream = new TransactionSimulator(new SimulationOptions { Seed = 43 }).Generate(warmUp + count).ToList();
            await TransactionProducer.ProduceAsync(broker.BootstrapServers, "bench-warm-up", stream.Take((int)warmUp), rate, null, kafkaLog, cancellationToken);
            await WaitForLagAsync(worker, broker.BootstrapServers, group, cancellationToken);
            var measuredFrom = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var produced = await TransactionProducer.ProduceAsync(broker.BootstrapServers, "bench", stream.Skip((int)warmUp), rate, null, kafkaLog, cancellationToken);
            await WaitForLagAsync(worker, broker.BootstrapServers, group, cancellationToken);

            var latencies = new LatencyHistogram();
            foreach (var (at, ms) in ReadLatencies(broker.BootstrapServers))
            {
                if (at >= measuredFrom)
                {
                    latencies.Record(ms);
                }
            }

            return new Paced(
                rate, latencies.Count, produced.Transactions / produced.Elapsed.TotalSeconds,
                latencies.Percentile(50), latencies.Percentile(99), latencies.Percentile(99.9), latencies.MaxMilliseconds, worker.PeakRssMb);
        }
        finally
        {
            await worker.StopAsync(cancellationToken);
        }
    }

    /// <summary>What Redis itself does on this machine: redis-benchmark, pipelined and not, and an EVAL like the state script's cost floor.</summary>
    public async Task<IReadOnlyList<string>> RedisYardstickAsync(CancellationToken cancellationToken)
    {
        var endpoint = redis.Split(',')[0];
        var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], endpoint[(endpoint.LastIndexOf(':') + 1)..]);
        var lines = new List<string>();
        foreach (var arguments in new[]
        {
            new[] { "-q", "-n", "200000", "-P", "16", "-t", "set,get" },
            ["-q", "-n", "50000", "-t", "get"],
            ["-q", "-n", "100000", "-P", "16", "eval", "redis.call('incr', KEYS[1]); return redis.call('expire', KEYS[1], 60)", "1", "ss-bench:eval"],
        })
        {
            var info = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in new[] { "-h", host, "-p", port }.Concat(arguments))
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var text = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            // -q prints progress with carriage returns and the result last on each line.
            lines.AddRange(text.Split('\n').Select(l => l.Split('\r')[^1].Trim()).Where(l => l.Length > 0)
                .Select(l => (arguments.Contains("-P") ? "pipelined (16): " : "one at a time: ") + l));
        }

        return lines;
    }

    /// <summary>The simulator's traffic applied to user state in this process, as a worker holds it; the heap after a full collection.</summary>
    public static StateMemory MeasureStateMemory(long count)
    {
        var limits = new UserStateOptions().Limits();
        var users = new Dictionary<string, UserState>(StringComparer.Ordinal);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var simulated in new TransactionSimulator(new SimulationOptions { Seed = 44 }).Generate(count))
        {
            var transaction = simulated.Transaction;
            if (!users.TryGetValue(transaction.UserId, out var state))
            {
                users[transaction.UserId] = state = new UserState(limits);
            }

            state.Apply(transaction, StateKeys.Of(transaction.EventId));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var largest = users.Values.Max(u => u.ApproximateBytes);
        GC.KeepAlive(users);
        return new StateMemory(count, users.Count, (after - before) / (double)users.Count, largest);
    }

    /// <summary>
    /// Nanoseconds per payment applied to user state, for one user paying 100,000 times a day and for 10,000 users
    /// paying 10 times a day each: the same number of payments, side by side in one run.
    /// </summary>
    public static (double BusyNs, double QuietNs) MeasureApplyCost()
    {
        const int Payments = 100_000;
        var limits = new UserStateOptions().Limits();
        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var template = new TransactionSimulator(new SimulationOptions { Seed = 45 }).Generate(1).Single().Transaction;
        var busy = Enumerable.Range(0, Payments)
            .Select(i => template with { UserId = "busy", TransactionId = $"b{i}", EventTime = start.AddMilliseconds(i * 864L), MerchantId = $"m{i % 1000}", DeviceId = $"d{i % 100}" })
            .ToArray();
        var quiet = Enumerable.Range(0, Payments)
            .Select(i => template with { UserId = $"q{i % 10_000}", TransactionId = $"q{i}", EventTime = start.AddMinutes(i / 10_000 * 144), MerchantId = $"m{i % 7}", DeviceId = "d1" })
            .ToArray();
        // Once each to warm up (JIT), then measured on fresh state.
        Time(busy);
        Time(quiet);
        return (Time(busy), Time(quiet));

        double Time(Contracts.Transaction[] stream)
        {
            var keys = stream.Select(t => StateKeys.Of(t.TransactionId)).ToArray();
            var states = stream.Select(t => t.UserId).Distinct().ToDictionary(u => u, _ => new UserState(limits));
            var users = stream.Select(t => states[t.UserId]).ToArray();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < stream.Length; i++)
            {
                users[i].Apply(stream[i], keys[i]);
            }

            return Stopwatch.GetElapsedTime(started).TotalNanoseconds / stream.Length;
        }
    }

    /// <summary>
    /// Where a transaction's time goes on the worker's thread, without Kafka or Redis: reading the message, applying it
    /// to user state, detecting (features, rules, model) and writing the result, in microseconds per transaction.
    /// </summary>
    public static IReadOnlyList<(string Stage, double Microseconds)> MeasureStages(string modelPath, int count)
    {
        var messages = new TransactionSimulator(new SimulationOptions { Seed = 46 }).Generate(count)
            .Select(s => JsonSerializer.SerializeToUtf8Bytes(s.Transaction, ContractsJsonContext.Default.Transaction)).ToArray();
        using var model = FraudModel.Load(modelPath);
        var detector = new Detector(model, new BusinessRules(new RuleOptions()), new SeverityThresholds(), TimeProvider.System);
        var reader = ContractReaders.Transactions();
        var states = new UserStateTable(new UserStateOptions().Limits());
        var (read, state, detect, check, write, eventId) = (0L, 0L, 0L, 0L, 0L, 0L);
        var (explain, explained) = (0L, 0L);
        for (var pass = 0; pass < 2; pass++)
        {
            // The first pass warms the JIT up; the second, on fresh state, is measured.
            states = new UserStateTable(new UserStateOptions().Limits());
            (read, state, detect, check, write, eventId) = (0, 0, 0, 0, 0, 0);
            (explain, explained) = (0, 0);
            foreach (var message in messages)
            {
                var t0 = Stopwatch.GetTimestamp();
                reader.TryRead(message, out var transaction, out _);
                var t1 = Stopwatch.GetTimestamp();
                var snapshot = states.Apply(transaction!);
                var t2 = Stopwatch.GetTimestamp();
                var result = detector.Detect(transaction!, snapshot!, DateTimeOffset.UtcNow);
                var t3 = Stopwatch.GetTimestamp();
                // The worker checks every result before it is published (what the stores could not hold is dead-lettered).
                ContractValidation.Validate(result, transaction);
                var t4 = Stopwatch.GetTimestamp();
                JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult);
                var t5 = Stopwatch.GetTimestamp();
                (read, state, detect, check, write) = (read + t1 - t0, state + t2 - t1, detect + t3 - t2, check + t4 - t3, write + t5 - t4);
                // Part of reading, priced alone: the event id's SHA-256 recomputed and compared.
                EventIds.Matches(transaction!);
                eventId += Stopwatch.GetTimestamp() - t5;
                if (result.Severity >= Detector.ExplainedFrom)
                {
                    // Detect already explained it; done again alone to price one alert's explanation.
                    var vector = ModelFeatures.From(transaction!, result.Features!);
                    var t6 = Stopwatch.GetTimestamp();
                    model.Contributions(vector);
                    (explain, explained) = (explain + Stopwatch.GetTimestamp() - t6, explained + 1);
                }
            }
        }

        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / messages.Length;
        return
        [
            ("read and validate", Us(read)), ("user state", Us(state)), ("detect (features, rules, model, reasons of alerts)", Us(detect)),
            ("check the result", Us(check)), ("write the result (JSON)", Us(write)),
            ("of read: the event id's SHA-256 recomputed and compared", Us(eventId)),
            (string.Create(CultureInfo.InvariantCulture, $"of detect: the model's reasons, per alert ({explained} alerts, {(double)explained / messages.Length:P1})"),
                explained == 0 ? 0 : explain * 1e6 / Stopwatch.Frequency / explained),
        ];
    }

    // The server's own account: commands and microseconds inside them, and its CPU, whatever the client waited.
    private static async Task<(long Calls, long Microseconds, double CpuSeconds)> RedisStatsAsync(ConnectionMultiplexer multiplexer)
    {
        var server = multiplexer.GetServers()[0];
        var commands = await server.InfoRawAsync("commandstats") ?? "";
        long calls = 0, microseconds = 0;
        foreach (var line in commands.Split('\n').Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal) && !l.StartsWith("cmdstat_info:", StringComparison.Ordinal)))
        {
            var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            calls += long.Parse(fields["calls"], CultureInfo.InvariantCulture);
            microseconds += long.Parse(fields["usec"], CultureInfo.InvariantCulture);
        }

        var cpu = (await server.InfoRawAsync("cpu") ?? "").Split('\n')
            .Where(l => l.StartsWith("used_cpu_user:", StringComparison.Ordinal) || l.StartsWith("used_cpu_sys:", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture));
        return (calls, microseconds, cpu);
    }

    private async Task WaitForLagAsync(BenchWorker worker, string bootstrap, string group, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (ConsumerGroupLag.Read(bootstrap, Topics.Transactions, group, Timeout, kafkaLog).Total > 0)
        {
            Guard(worker, started);
            await Task.Delay(100, cancellationToken);
        }
    }

    // (ingested at, latency) of every result on the topic, by the transaction's time of intake.
    private List<(long At, double Ms)> ReadLatencies(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"bench-reader-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).LogTo(kafkaLog).Build();
        consumer.Subscribe(Topics.DetectionResults);
        var latencies = new List<(long At, double Ms)>();
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed < TimeSpan.FromSeconds(3))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } message)
            {
                continue;
            }

            idle.Restart();
            var result = JsonSerializer.Deserialize(message.Message.Value, ContractsJsonContext.Default.DetectionResult)!;
            // The result's Kafka timestamp is when the worker handed it to its producer; ingested_at, when the
            // simulator produced the transaction. Both clocks are this machine's.
            var ingested = result.Transaction!.IngestedAt!.Value.ToUnixTimeMilliseconds();
            latencies.Add((ingested, message.Message.Timestamp.UnixTimestampMs - ingested));
        }

        consumer.Close();
        return latencies;
    }

    private DevelopmentBroker Broker(int partitions) =>
        DevelopmentBroker.Start(1, Topics.All.ToDictionary(t => t, t => t is Topics.Transactions or Topics.DetectionResults ? partitions : 1), kafkaLog);

    private BenchWorker StartWorker(string bootstrap, string group, string prefix) =>
        BenchWorker.Start(
            ["run", "detection", "--instance", "bench", "--http-port", "0"],
            new Dictionary<string, string>
            {
                ["SS_REDIS"] = redis,
                ["SS_KAFKA"] = bootstrap,
                ["Detection__ConsumerGroup"] = group,
                ["UserState__KeyPrefix"] = prefix,
                ["Detection__BatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            });

    private static void Guard(BenchWorker worker, Stopwatch started)
    {
        if (worker.Process.HasExited || started.Elapsed > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"The worker did not catch up:\n{worker.Log}");
        }
    }
}
