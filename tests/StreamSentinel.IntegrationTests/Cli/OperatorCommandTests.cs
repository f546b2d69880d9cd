using System.Globalization;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Cli;

/// <summary>The operators' commands on a pipeline of the test's own: <c>lag</c> before and after a worker, and <c>performance</c>.</summary>
public sealed class OperatorCommandTests
{
    private const int Results = 1500;

    [Test]
    public async Task Lag_counts_what_the_group_has_not_committed_and_performance_reports_what_the_worker_committed()
    {
        await using var pipeline = await PipelineFixture.StartAsync(partitions: 4);
        await pipeline.GenerateAsync(count: Results, seed: 40, alertShare: 0.1);

        // Nothing consumes yet: the persistence group is behind by every result, the detection group by nothing.
        var before = await Infrastructure.Cli.RunAsync(pipeline.Environment, "lag");
        var detection = await Infrastructure.Cli.RunAsync(pipeline.Environment, "lag", "--fleet", "detection", "--total");
        await pipeline.StartWorkerAsync("operator");
        var report = await pipeline.VerifyUntilPassedAsync(TimeSpan.FromMinutes(3));
        var after = await Infrastructure.Cli.RunAsync(pipeline.Environment, "lag", "--total");

        // The worker's snapshots (one a second) reach performance_metrics through the fleet itself: polled until its
        // committed total covers the results (it also counts the operational streams' messages it commits).
        string[]? row = null;
        var performance = new CliResult(-1, "");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline && !(row is not null && long.Parse(row[5], CultureInfo.InvariantCulture) >= Results))
        {
            performance = await Infrastructure.Cli.RunAsync(pipeline.Environment, "performance", "--csv");
            row = performance.Output.Split('\n').Select(line => line.Trim().Split(',')).FirstOrDefault(r => r.Length > 5 && r[0] == "persistence" && r[1] == "operator");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.ExitCode, Is.EqualTo(1), before.ToString);
            Assert.That(LastLine(before.Output), Is.EqualTo($"{Results}"), before.ToString);
            Assert.That(before.Output.Split('\n').Count(l => l.StartsWith("fraud-detection-results[", StringComparison.Ordinal)), Is.EqualTo(4), "one line per partition");
            Assert.That(detection.ExitCode, Is.Zero, detection.ToString);
            Assert.That(LastLine(detection.Output), Is.EqualTo("0"));
            Assert.That(report.ExitCode, Is.Zero, report.ToString);
            Assert.That(after.ExitCode, Is.Zero, after.ToString);
            Assert.That(LastLine(after.Output), Is.EqualTo("0"));
            Assert.That(row, Is.Not.Null, performance.ToString);
            Assert.That(long.Parse(row![2], CultureInfo.InvariantCulture), Is.Positive, "snapshots");
            Assert.That(long.Parse(row[5], CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(Results), () => "out: what this worker committed\n" + performance);
        }
    }

    private static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].Trim();
}
