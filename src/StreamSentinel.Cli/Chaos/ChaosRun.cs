using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using StackExchange.Redis;
using StreamSentinel.Cli.Bench;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Detection.Evaluation;
using StreamSentinel.Hosting.Configuration;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Migrations;
using StreamSentinel.Persistence.DependencyInjection;
using StreamSentinel.Persistence.Verification;
using StreamSentinel.Redis.UserState;
using StreamSentinel.Simulation;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.Cli.Chaos;

/// <summary>
/// One chaos scenario end to end: a broker, databases and Redis state of its own, two detection and two persistence
/// worker processes, simulated traffic, the disruption, then <c>verify</c> as the judge and a check that every
/// transaction has a result and every poison message its dead letter.
/// </summary>
internal sealed class ChaosRun(string adminPostgres, string adminClickHouse, string redis, TextWriter output, ILogger kafkaLog)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>How long each store stays down in the outage scenario.</summary>
    public int OutageSeconds { get; init; } = 60;

    /// <summary><c>scripts/stack.sh</c>, which stops and starts the local stack's servers; null where there is none.</summary>
    public string? StackScript { get; init; }

    public async Task<ChaosOutcome> RunAsync(string scenario, long transactions, int disruptions, int poison, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        // The development broker keeps ~5 MiB per partition (a result is ~1.5 KB of JSON before compression): enough
        // partitions that nothing is dropped before verify has read it. A run that still loses messages to that limit
        // is reported as unverifiable, never as clean.
        var partitions = (int)Math.Clamp(transactions / 2500, 12, 512);
        var dlqPartitions = Math.Clamp(poison / 200, 4, 64);
        using var broker = DevelopmentBroker.Start(1, Topics.All.ToDictionary(
            t => t, t => t is Topics.Transactions or Topics.DetectionResults ? partitions : t == Topics.DeadLetters ? dlqPartitions : 2), kafkaLog);
        await using var databases = await ScratchDatabases.CreateAsync(adminPostgres, adminClickHouse, "ss_chaos_");
        await databases.Migrator().MigrateAsync(dryRun: false, cancellationToken);
        await using var state = new ScratchState(await ConnectionMultiplexer.ConnectAsync(redis), new UserStateOptions());
        var environment = new Dictionary<string, string>
        {
            ["SS_POSTGRES"] = databases.PostgresConnectionString,
            ["SS_CLICKHOUSE"] = databases.ClickHouseConnectionString,
            ["SS_REDIS"] = redis,
            ["SS_KAFKA"] = broker.BootstrapServers,
            ["UserState__KeyPrefix"] = state.Prefix,
        };
        var fleet = new Fleet(environment);
        try
        {
            foreach (var kind in new[] { "detection", "detection", "persistence", "persistence" })
            {
                fleet.Start(kind);
            }

            var poisoned = poison > 0 ? ProducePoisonAsync(broker.BootstrapServers, poison, seed, cancellationToken) : Task.FromResult((0, 0));
            var lastDisruption = Stopwatch.StartNew();
            var done = 0;
            var clock = Stopwatch.StartNew();
            Task<TransactionProducer.Produced> producing;
            if (scenario == "kill" && disruptions > 0)
            {
                // kill -9s must land mid-work: a leading part of the traffic gets the fleet storing (however long its start
                // takes on a loaded machine), then the rest is paced to last past the disruptions (each 1 to 4 s after the
                // last), rather than being processed before, or between, the kills.
                var leading = checked((int)Math.Max(1, transactions / 20));
                var first = await ProduceAsync(Traffic().Take(leading), 0);
                var storing = Stopwatch.StartNew();
                while (await StoredResultsAsync(databases, cancellationToken) == 0 && storing.Elapsed < TimeSpan.FromMinutes(2))
                {
                    await Task.Delay(200, cancellationToken);
                }

                var rest = ProduceAsync(Traffic().Skip(leading), (transactions - leading) / ((disruptions * 4.0) + 5));
                producing = rest.ContinueWith(
                    t => t.Result with { Transactions = first.Transactions + t.Result.Transactions, Fraud = first.Fraud + t.Result.Fraud, Failures = first.Failures + t.Result.Failures },
                    cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
            else
            {
                producing = ProduceAsync(Traffic(), 0);
            }

            if (scenario == "outage")
            {
                // Under load: the fleet is busy with the traffic when each store goes away, then comes back.
                foreach (var server in new[] { "postgres", "clickhouse" })
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                    await StackAsync("stop", server, cancellationToken);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  outage: {server} stopped for {OutageSeconds} s"));
                    await Task.Delay(TimeSpan.FromSeconds(OutageSeconds), cancellationToken);
                    await StackAsync("start", server, cancellationToken);
                    done++;
                    lastDisruption.Restart();
                }
            }

            // Disruptions are spread over the traffic; a scenario without disruptions (poison) only waits.
            while (done < disruptions && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, scenario == "rebalance" ? 3000 : 4000)), cancellationToken);
                switch (scenario)
                {
                    case "kill":
                        var killed = fleet.Kill(random);
                        // Counted at the moment of the kill (before its replacement starts): proof that it landed mid-work.
                        var stored = await StoredResultsAsync(databases, cancellationToken);
                        var lag = killed == "detection"
                            ? ConsumerGroupLag.Read(broker.BootstrapServers, Topics.Transactions, "stream-sentinel-detection", Timeout, kafkaLog).Total
                            : ConsumerGroupLag.Read(broker.BootstrapServers, Topics.DetectionResults, "stream-sentinel-persistence", Timeout, kafkaLog).Total;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  kill {done + 1}: a {killed} worker, with {stored:N0} of {transactions:N0} results stored and its group's lag {lag:N0}"));
                        fleet.Start(killed);
                        break;
                    case "rebalance":
                        fleet.JoinOrLeave(random);
                        break;
                }

                done++;
                lastDisruption.Restart();
            }

            var produced = await producing;
            var (transactionPoison, resultPoison) = await poisoned;

            // The same seed gives the same stream, so its two parts can be generated separately.
            IEnumerable<SimulatedTransaction> Traffic() => new TransactionSimulator(new SimulationOptions { Seed = seed }).Generate(transactions);

            Task<TransactionProducer.Produced> ProduceAsync(IEnumerable<SimulatedTransaction> stream, double rate) =>
                TransactionProducer.ProduceAsync(broker.BootstrapServers, "chaos", stream, rate, null, kafkaLog, cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {scenario}: {produced.Transactions:N0} transactions and {transactionPoison + resultPoison:N0} poison produced in {clock.Elapsed.TotalSeconds:F0} s, {done} disruptions; waiting for the fleet"));
            await WaitForLagAsync(broker.BootstrapServers, fleet, cancellationToken);
            var recovery = lastDisruption.Elapsed;
            return await JudgeAsync(scenario, broker, databases, environment, produced.Transactions, transactionPoison, resultPoison, recovery, done, cancellationToken);
        }
        finally
        {
            await fleet.StopAsync(cancellationToken);
        }
    }

    private async Task<ChaosOutcome> JudgeAsync(
        string scenario, DevelopmentBroker broker, ScratchDatabases databases, Dictionary<string, string> environment, long transactions, int transactionPoison,
        int resultPoison, TimeSpan recovery, int disruptions, CancellationToken cancellationToken)
    {
        // The verifier itself, in this process, on the run's servers: its report is data, not a table to read back.
        var report = await VerifyAsync(environment, cancellationToken);
        long lost = 0, duplicated = 0, misrouted = 0;
        foreach (var check in report.Checks)
        {
            lost += check.Lost;
            duplicated += check.Duplicated;
            misrouted += check.Misrouted;
            // Rows no message accounts for: stored by something other than the fleet, a surplus like a duplicate.
            duplicated += check.Unknown;
        }

        // Every transaction must have its result: verify counts distinct events among the committed results.
        var results = report.Valid;
        lost += Math.Max(0, transactions - results);
        duplicated += Math.Max(0, results - transactions);
        // Beside verify, plain counts: each results table holds one row per transaction, of as many distinct events.
        foreach (var table in new[] { "transaction_records", "fraud_features", "detection_results" })
        {
            var counts = (await databases.ClickHouse.QueryTsvAsync($"SELECT count(), uniqExact(event_id) FROM {table}", cancellationToken))[0];
            var (rows, events) = (Number(counts[0]), Number(counts[1]));
            if (rows != transactions || events != transactions)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {scenario}: {table} holds {rows:N0} rows of {events:N0} events for {transactions:N0} transactions"));
                lost += Math.Max(0, transactions - events);
                duplicated += Math.Max(0, rows - Math.Min(events, transactions));
            }
        }

        // Every poison transaction must have its dead letter (at least once; verify checks the results topic's own).
        var letters = DeadLettersOf(broker.BootstrapServers, Topics.Transactions);
        lost += Math.Max(0, transactionPoison - letters);
        misrouted += Math.Max(0, letters - transactionPoison);
        var passed = report.Passed;
        if (report.KafkaTruncated || LowWatermarkAboveZero(broker.BootstrapServers))
        {
            output.WriteLine($"  {scenario}: the development broker dropped old messages before they could be verified: use fewer --transactions");
            lost = -1;
        }

        if (!passed && lost + duplicated + misrouted == 0)
        {
            // verify failed for a reason the table did not show (e.g. nothing committed): never report it as clean.
            lost = -1;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {scenario}: verify {(passed ? "passed" : "FAILED")}; {results:N0} of {transactions:N0} transactions with a result; {letters:N0} of {transactionPoison:N0} poison transactions dead-lettered"));
        foreach (var check in report.Checks.Where(c => !c.Passed))
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"    {check.Store}: expected {check.Expected:N0}, found {check.Found:N0}, lost {check.Lost:N0}, duplicated {check.Duplicated:N0}, misrouted {check.Misrouted:N0}, unknown {check.Unknown:N0}{(check.Note is null ? "" : "; " + check.Note)}"));
        }

        return new ChaosOutcome(scenario, transactions + transactionPoison + resultPoison, lost, duplicated, misrouted, recovery, disruptions,
            $"{resultPoison:N0} poison results");
    }

    private static async Task<long> StoredResultsAsync(ScratchDatabases databases, CancellationToken cancellationToken) =>
        Number((await databases.ClickHouse.QueryTsvAsync("SELECT count() FROM detection_results", cancellationToken))[0][0]);

    private async Task StackAsync(string action, string server, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(StackScript ?? throw new InvalidOperationException("The outage scenario needs scripts/stack.sh."), [action, server])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"stack.sh {action} {server} failed:\n{text}");
        }
    }

    private async Task WaitForLagAsync(string bootstrap, Fleet fleet, CancellationToken cancellationToken)
    {
        var quiet = 0;
        var waited = Stopwatch.StartNew();
        while (quiet < 3)
        {
            fleet.EnsureEachFleetRuns();
            var detecting = ConsumerGroupLag.Read(bootstrap, Topics.Transactions, "stream-sentinel-detection", Timeout, kafkaLog).Total;
            var storing = ConsumerGroupLag.Read(bootstrap, Topics.DetectionResults, "stream-sentinel-persistence", Timeout, kafkaLog).Total;
            quiet = detecting == 0 && storing == 0 ? quiet + 1 : 0;
            if (waited.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException($"The fleet did not catch up: {detecting} transactions and {storing} results left.\n{fleet.Logs()}");
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task<(int Transactions, int Results)> ProducePoisonAsync(string bootstrap, int count, int seed, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, MessageMaxBytes = 1_000_000 })
            .LogTo(kafkaLog).Build();
        var basis = new TransactionSimulator(new SimulationOptions { Seed = seed + 1 }).Generate(count).Select(s => s.Transaction).ToList();
        var results = new SyntheticResults(seed, 0.2, DateTimeOffset.UtcNow);
        int transactions = 0, resultsSent = 0;
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            if (i % 2 == 0)
            {
                var kind = TransactionPoison.Kinds[i / 2 % TransactionPoison.Kinds.Count];
                producer.Produce(Topics.Transactions, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(basis[i].UserId), Value = kind.Payload(basis[i]) });
                transactions++;
            }
            else
            {
                var result = results.Next();
                var kind = PoisonMessages.Kinds[i / 2 % PoisonMessages.Kinds.Count];
                producer.Produce(Topics.DetectionResults, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(result.UserId), Value = kind.Payload(result) });
                resultsSent++;
            }

            // Spread over the run rather than all at once, so that poison lands in batches of real traffic.
            if (i % 100 == 99)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        producer.Flush(cancellationToken);
        return (transactions, resultsSent);
    }

    /// <summary>Distinct originals of <paramref name="topic"/> that have a dead letter.</summary>
    private long DeadLettersOf(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = $"chaos-{Guid.NewGuid():N}", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).LogTo(kafkaLog).Build();
        consumer.Subscribe(Topics.DeadLetters);
        var originals = new HashSet<string>(StringComparer.Ordinal);
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed < TimeSpan.FromSeconds(3))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } message)
            {
                continue;
            }

            idle.Restart();
            var headers = message.Message.Headers;
            if (Header(headers, DeadLetterPublisher.TopicHeader) == topic)
            {
                originals.Add($"{Header(headers, DeadLetterPublisher.PartitionHeader)}@{Header(headers, DeadLetterPublisher.OffsetHeader)}");
            }
        }

        consumer.Close();
        return originals.Count;
    }

    private bool LowWatermarkAboveZero(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).LogTo(kafkaLog).Build();
        using var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "chaos-probe" }).LogTo(kafkaLog).Build();
        return new[] { Topics.Transactions, Topics.DetectionResults, Topics.DeadLetters }.Any(topic =>
            admin.GetMetadata(topic, Timeout).Topics[0].Partitions.Any(p => probe.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), Timeout).Low.Value > 0));
    }

    private static string? Header(Headers headers, string key) => headers.TryGetLastBytes(key, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    /// <summary>What <c>verify</c> reports for the run's servers, computed here by the same verifier the command runs.</summary>
    private static async Task<IntegrityReport> VerifyAsync(Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var builder = WorkerHost.CreateBuilder(StackEnvironment.Servers.ToDictionary(
            variable => StackEnvironment.Keys[variable], variable => (string?)environment[variable]));
        builder.AddPersistenceCore();
        using var host = builder.Build();
        return await host.Services.GetRequiredService<IntegrityVerifier>().VerifyAsync(cancellationToken);
    }

    /// <summary>The worker processes of one run, by kind, so that each fleet keeps at least one member.</summary>
    private sealed class Fleet(Dictionary<string, string> environment)
    {
        private static readonly string[] Kinds = ["detection", "persistence"];

        private readonly List<(string Kind, BenchWorker Worker)> _running = [];
        private readonly List<BenchWorker> _stopped = [];
        private int _started;

        public void Start(string kind)
        {
            var instance = $"chaos-{kind}-{++_started}";
            _running.Add((kind, BenchWorker.Start(["run", kind, "--instance", instance, "--http-port", "0"], environment)));
        }

        /// <summary>kill -9 of a random worker; returns its kind (the caller starts a replacement).</summary>
        public string Kill(Random random)
        {
            var (kind, worker) = _running[random.Next(_running.Count)];
            worker.Process.Kill();
            worker.Process.WaitForExit();
            _running.RemoveAll(r => r.Worker == worker);
            _stopped.Add(worker);
            return kind;
        }

        public void JoinOrLeave(Random random)
        {
            var kind = random.Next(2) == 0 ? "detection" : "persistence";
            var members = _running.Where(r => r.Kind == kind).ToList();
            if (members.Count > 1 && (members.Count >= 4 || random.Next(2) == 0))
            {
                var leaving = members[random.Next(members.Count)].Worker;
                using var term = Process.Start("kill", ["-TERM", leaving.Process.Id.ToString(CultureInfo.InvariantCulture)]);
                _running.RemoveAll(r => r.Worker == leaving);
                _stopped.Add(leaving);
            }
            else
            {
                Start(kind);
            }
        }

        public void EnsureEachFleetRuns()
        {
            // A worker still listed but exited crashed by itself (ours are removed when we stop them): replace it.
            foreach (var crashed in _running.Where(r => r.Worker.Process.HasExited).ToList())
            {
                _running.Remove(crashed);
                _stopped.Add(crashed.Worker);
                Start(crashed.Kind);
            }

            foreach (var kind in Kinds.Where(k => !_running.Any(r => r.Kind == k)))
            {
                Start(kind);
            }
        }

        public string Logs() => string.Join("\n", _running.Select(r => $"== {r.Kind}\n{r.Worker.Log}"));

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await Task.WhenAll(_running.Select(r => r.Worker.StopAsync(cancellationToken)));
            foreach (var worker in _running.Select(r => r.Worker).Concat(_stopped))
            {
                await worker.Process.WaitForExitAsync(cancellationToken);
                worker.Dispose();
            }
        }

    }
}
