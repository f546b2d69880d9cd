using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Dapper;
using Npgsql;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Simulation;

namespace StreamSentinel.IntegrationTests.Detection;

/// <summary>
/// The detection fleet through the real entry point: <c>simulate</c> produces transactions, detection workers turn
/// each into one result, and (in the first test) a persistence worker stores them, with <c>verify</c> as the judge.
/// </summary>
public sealed class DetectionFleetTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromMinutes(3);

    [Test]
    public async Task Transactions_Kafka_deleted_before_detection_read_them_are_reported_lost_by_verify()
    {
        const string Group = "stream-sentinel-detection";
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 1);
        // Stores the workers' audit events, where verify reads what they noticed.
        await pipeline.StartWorkerAsync("persistence");
        var first = await pipeline.StartDetectionWorkerAsync("before");
        await pipeline.SimulateAsync(500, seed: 31);
        await PipelineFixture.WaitForAsync(() => Task.FromResult(pipeline.Lag(Group, Topics.Transactions) == 0), CatchUp);
        first.Terminate();
        Assert.That(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True);

        // While no detection worker runs, more arrives than the development broker keeps of a partition (~5 MiB): the
        // oldest of it is deleted unread. The loss is known from the broker alone: from the committed 500 to its first offset.
        await pipeline.SimulateAsync(60_000, seed: 32);
        var low = IndependentCounts.LowWatermark(pipeline.Broker.BootstrapServers, Topics.Transactions, 0);
        Assert.That(low, Is.GreaterThan(500), "the broker deleted transactions the group had not read");

        await pipeline.StartDetectionWorkerAsync("after");
        CliResult report = null!;
        await PipelineFixture.WaitForAsync(
            async () => (report = await Infrastructure.Cli.RunAsync(pipeline.Environment, "verify")).Output.Contains("kafka: transactions detection read: ", StringComparison.Ordinal),
            CatchUp);

        var lost = (low - 500).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.ExitCode, Is.Not.Zero, () => report.ToString());
            Assert.That(
                report.Output,
                Does.Contain($"kafka: transactions detection read: {lost} messages were deleted from Kafka (retention) before the group read them: partition 0 offsets 500..{low - 1}"),
                () => report + pipeline.WorkerLogs());
        }
    }

    [Test]
    public async Task Every_transaction_gets_one_result_that_the_persistence_fleet_stores_and_invalid_ones_are_dead_lettered()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 4);
        await pipeline.StartDetectionWorkerAsync("d1");
        await pipeline.StartDetectionWorkerAsync("d2", waitForAssignment: false);
        await pipeline.StartWorkerAsync("p1");
        var labelsFile = Path.Combine(Path.GetTempPath(), $"labels-{Guid.NewGuid():N}.csv");
        await pipeline.SimulateAsync(6000, seed: 21, "--users", "150", "--labels", labelsFile);
        ProduceInvalidTransactions(pipeline);

        var results = ReadResults(pipeline, r => r.Count >= 6000);
        var evaluation = await Infrastructure.Cli.RunAsync(pipeline.Environment, "evaluate", "--seed", "21", "--count", "6000", "--users", "150", "--json");
        Assert.That(evaluation.ExitCode, Is.Zero, evaluation.ToString);
        using var evaluated = JsonDocument.Parse(evaluation.Output[evaluation.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var reference = evaluated.RootElement.GetProperty("scenarios").EnumerateArray().ToDictionary(
            s => s.GetProperty("scenario").GetString()!, s => (Labelled: s.GetProperty("labelled").GetInt64(), Alerted: s.GetProperty("detected").GetInt64()));
        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);
        var watch = await Infrastructure.Cli.RunAsync(pipeline.Environment, "watch", "--expect", "6003", "--interval-ms", "200");

        var expected = new TransactionSimulator(new SimulationOptions { Seed = 21, Users = 150 }).Generate(6000).Select(s => s.Transaction.EventId).ToList();
        var severityOf = results.ToDictionary(r => r.EventId, r => r.Severity);
        var labels = File.ReadAllLines(labelsFile).Skip(1).Select(line => line.Split(',')).ToList();
        File.Delete(labelsFile);
        var alerts = results.Count(r => IndependentCounts.IsAlert(r.Severity));
        await using var connection = new NpgsqlConnection(pipeline.Databases.PostgresConnectionString);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.EventId), Is.EquivalentTo(expected), "one result per transaction, no more");
            Assert.That(results.Select(r => r.ModelVersion).Distinct().Single(), Is.Not.Empty);
            Assert.That(results.Where(r => r.Severity >= Severity.Medium).Select(r => r.Explanation.Summary), Has.All.Not.Empty);
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("6,000 valid results"));
            Assert.That(watch.ExitCode, Is.Zero, watch.ToString);
            Assert.That(watch.Output, Does.Contain("caught up: 6,003 transactions scored"), "6,000 simulated and 3 invalid ones, dead-lettered");
            Assert.That(labels.Select(l => l[3]).Distinct(), Is.EquivalentTo(FraudScenarios.All), "the small run plays every scenario");
            // Quality is judged by `evaluate` on 60,000 transactions (DetectionCommandTests): 150 users are too few for a
            // stable recall. Here the fleet must alert exactly what the single-process evaluation of the same run alerts.
            var fleet = labels.GroupBy(l => l[3]).ToDictionary(g => g.Key, g => (Labelled: (long)g.Count(), Alerted: (long)g.Count(l => severityOf[l[0]] >= Severity.Medium)));
            Assert.That(fleet, Is.EquivalentTo(reference), "labelled and alerted per scenario: the fleet against evaluate");
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM fraud_alerts"), Is.EqualTo(alerts));
            Assert.That(ReadDeadLetterReasons(pipeline), Is.EquivalentTo(new[] { "malformed_json", "missing_field", "invalid_value" }));
        }

        await pipeline.AssertStoredOnceAsync(6000, alerts, deadLetters: 0);
    }

    [Test]
    public async Task Kill_9_of_a_detection_worker_mid_stream_then_a_restart_gives_the_verdicts_of_an_uninterrupted_run_stored_once()
    {
        const int Count = 20_000;
        Dictionary<string, (double Score, Severity Severity, string Rules)> uninterrupted;
        await using (var calm = await PipelineFixture.StartAsync(partitions: 4))
        {
            await calm.StartDetectionWorkerAsync("calm");
            await calm.SimulateAsync(Count, seed: 22, "--users", "1000");
            uninterrupted = ReadResults(calm, r => r.Count >= Count).ToDictionary(r => r.EventId, Verdict);
        }

        await using var pipeline = await PipelineFixture.StartAsync(partitions: 4);
        var victim = await pipeline.StartDetectionWorkerAsync("victim");
        await pipeline.StartWorkerAsync("p1");
        // Paced, so that the kill lands while transactions are still arriving and being scored.
        var simulating = pipeline.SimulateAsync(Count, seed: 22, "--users", "1000", "--rate", "2500");

        ReadResults(pipeline, r => r.Count >= 3000);
        victim.Kill();
        Assert.That(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.True, "kill -9 ends the worker");

        // Counted once it is dead (nothing moves until the successor starts): the kill landed mid-work.
        var publishedAtKill = IndependentCounts.Messages(pipeline.Broker.BootstrapServers, Topics.DetectionResults);
        var lagAtKill = pipeline.Lag("stream-sentinel-detection", Topics.Transactions);
        await pipeline.StartDetectionWorkerAsync("successor");
        await simulating;
        var results = ReadResults(pipeline, r => r.Select(x => x.EventId).Distinct().Count() >= Count);
        var report = await pipeline.VerifyUntilPassedAsync(CatchUp);

        var verdicts = results.GroupBy(r => r.EventId).ToList();
        var differing = verdicts.Where(g => g.Select(Verdict).Distinct().Count() > 1 || g.Select(Verdict).First() != uninterrupted[g.Key]).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdicts.Select(g => g.Key), Is.EquivalentTo(uninterrupted.Keys), () => pipeline.WorkerLogs());
            Assert.That(differing, Is.Empty, () => $"{differing.Count} transactions got another verdict than in the uninterrupted run, e.g. {differing.FirstOrDefault()?.Key}");
            // Whatever detection published twice, each store holds each transaction once.
            Assert.That(report.ExitCode, Is.Zero, () => report + pipeline.WorkerLogs());
            Assert.That(report.Output, Does.Contain("20,000 valid results"));
            Assert.That(publishedAtKill, Is.LessThan(Count), "results published when the worker died");
            Assert.That(lagAtKill, Is.Positive, "transactions not committed when the worker died");
        }

        await pipeline.AssertStoredOnceAsync(Count, verdicts.Count(g => IndependentCounts.IsAlert(g.First().Severity)), deadLetters: 0);
    }

    private static (double Score, Severity Severity, string Rules) Verdict(DetectionResult result) =>
        (result.FraudScore, result.Severity, string.Join(",", result.BusinessRulesTriggered));

    private static void ProduceInvalidTransactions(PipelineFixture pipeline)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = pipeline.Broker.BootstrapServers }).Build();
        var valid = new TransactionSimulator(new SimulationOptions { Seed = 99 }).Generate(1).Single().Transaction;
        var json = JsonSerializer.Serialize(valid, ContractsJsonContext.Default.Transaction);
        byte[][] payloads =
        [
            Encoding.UTF8.GetBytes("{not json"),
            Encoding.UTF8.GetBytes(json.Replace("\"user_id\"", "\"someone\"", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(json.Replace("\"currency\":\"", "\"currency\":\"x", StringComparison.Ordinal)),
        ];
        foreach (var payload in payloads)
        {
            producer.Produce(Topics.Transactions, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(valid.UserId), Value = payload });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    internal static List<DetectionResult> ReadResults(PipelineFixture pipeline, Func<List<DetectionResult>, bool> enough)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DetectionResults);
        var results = new List<DetectionResult>();
        var reader = ContractReaders.DetectionResults();
        var stopwatch = Stopwatch.StartNew();
        while (!enough(results))
        {
            if (stopwatch.Elapsed > CatchUp)
            {
                Assert.Fail($"Only {results.Count} results after {CatchUp}.\n{pipeline.WorkerLogs()}");
            }

            for (var i = 0; i < 1000 && consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message; i++)
            {
                Assert.That(reader.TryRead(message.Message.Value, out var result, out var error), Is.True, () => $"the worker wrote an invalid result: {error}");
                Assert.That(Encoding.UTF8.GetString(message.Message.Key!), Is.EqualTo(result!.UserId), "keyed by user");
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }

    private static List<string> ReadDeadLetterReasons(PipelineFixture pipeline)
    {
        using var consumer = TopicReader.FromStart(pipeline.Broker.BootstrapServers, Topics.DeadLetters);
        var reasons = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        while (reasons.Count < 3 && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } message
                && message.Message.Headers.TryGetLastBytes("ss-dlq-reason", out var reason)
                && message.Message.Headers.TryGetLastBytes("ss-dlq-original-topic", out var topic)
                && Encoding.UTF8.GetString(topic) == Topics.Transactions)
            {
                reasons.Add(Encoding.UTF8.GetString(reason));
            }
        }

        consumer.Close();
        return reasons;
    }
}
