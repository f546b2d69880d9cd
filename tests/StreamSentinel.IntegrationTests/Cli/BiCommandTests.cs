using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Cli;

/// <summary><c>stream-sentinel bi</c>: every named query of sql/bi runs on this run's ClickHouse, and its figures add up.</summary>
public sealed class BiCommandTests
{
    private const int Count = 3000;

    private ScratchDatabases _databases = null!;
    private List<PersistableResult> _results = null!;

    [OneTimeSetUp]
    public async Task StoreResultsAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
        var generator = new SyntheticResults(seed: 41, alertShare: 0.2, new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero));
        _results = [.. Enumerable.Range(0, Count).Select(i =>
        {
            var result = generator.Next();
            return new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, i % 3, i / 3), RoutingOptions.DefaultAlertSeverities.Contains(result.Severity));
        })];
        var writer = new ResultWriter(_databases.ClickHouse);
        foreach (var table in ResultTable.All)
        {
            await writer.InsertAsync(table, _results, CancellationToken.None);
        }
    }

    [OneTimeTearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [TestCaseSource(typeof(BiQueries), nameof(BiQueries.All))]
    public async Task Every_named_query_runs_and_prints_a_header_and_rows(BiQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", query.Name, "--csv", "--limit", "5");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Length, Is.InRange(2, 11), result.Output);
        Assert.That(query.Description, Is.Not.Empty.And.Contains("Parameters"), "the file starts with what it answers");
    }

    [Test]
    public async Task Rules_firing_counts_every_rule_the_stored_results_carry()
    {
        var result = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", "rules_firing", "--csv", "--limit", "100");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        var printed = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(fields => fields[0], fields => (Fired: long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), OnAlerts: long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture)));
        var expected = _results
            .SelectMany(r => r.Result.BusinessRulesTriggered.Select(rule => (Rule: rule, r.IsAlert)))
            .GroupBy(x => x.Rule)
            .ToDictionary(g => g.Key, g => ((long)g.Count(), (long)g.Count(x => x.IsAlert)));
        Assert.That(expected, Is.Not.Empty, "the synthetic results fire rules");
        Assert.That(printed, Is.EquivalentTo(expected));
    }

    [Test]
    public async Task A_window_selects_by_event_time_and_an_unknown_name_or_an_empty_window_is_refused()
    {
        var all = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", "fraud_rate_by_country", "--csv", "--limit", "1000");
        var none = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", "fraud_rate_by_country", "--csv", "--from", "2030-01-01");
        var unknown = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", "fraud_rate_by_planet");
        var backwards = await Infrastructure.Cli.RunAsync(_databases.Environment(), "bi", "fraud_rate_by_hour", "--from", "2026-12-01", "--to", "2026-11-01");

        using (Assert.EnterMultipleScope())
        {
            var total = all.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(line => long.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.That(total, Is.EqualTo(Count), all.Output);
            Assert.That(none.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "only the header: nothing happened after 2030");
            Assert.That(unknown.ExitCode, Is.EqualTo(2));
            Assert.That(unknown.Output, Does.Contain("Unknown BI query 'fraud_rate_by_planet'. Known: fraud_rate_by_category"));
            Assert.That((backwards.ExitCode, backwards.Output.Trim()), Is.EqualTo((2, "--to must be after --from.")));
        }
    }

    [Test]
    public async Task Csv_quotes_a_field_that_holds_a_carriage_return()
    {
        await using var databases = await IsolatedDatabases.CreateMigratedAsync();
        var result = new SyntheticResults(seed: 42, alertShare: 1.0, new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero)).Next();
        result = result with { Transaction = result.Transaction! with { MerchantId = "merchant\rwith-cr" } };
        var writer = new ResultWriter(databases.ClickHouse);
        foreach (var table in ResultTable.All)
        {
            await writer.InsertAsync(table, [new PersistableResult(result, new KafkaCoordinates(Topics.DetectionResults, 0, 0), IsAlert: true)], CancellationToken.None);
        }

        var csv = await Infrastructure.Cli.RunAsync(databases.Environment(), "bi", "riskiest_merchants", "--csv");

        // The test reads lines, and a CR ends one: quoted, the field opens with a quote and closes after the CR.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(csv.ExitCode, Is.Zero, csv.Output);
            Assert.That(csv.StandardOutput, Does.Contain("\"merchant" + Environment.NewLine + "with-cr\","), csv.Output);
        }
    }
}
