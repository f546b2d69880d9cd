using System.Text.Json;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Detection;

/// <summary><c>evaluate</c>, <c>simulate</c> and <c>run detection</c> through the entry point, with the model this repository ships.</summary>
public sealed class DetectionCommandTests
{
    [Test]
    public async Task The_shipped_model_meets_the_quality_goal_on_a_seed_never_used_for_training()
    {
        var result = await Infrastructure.Cli.RunAsync(Environment(), "evaluate", "--seed", "1001", "--count", "60000", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString);
        using var report = JsonDocument.Parse(result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var root = report.RootElement;
        var scenarios = root.GetProperty("scenarios").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("transactions").GetInt64(), Is.EqualTo(60_000));
            Assert.That(scenarios.Select(s => s.GetProperty("scenario").GetString()), Is.EquivalentTo(new[]
            {
                "velocity_burst", "card_testing", "impossible_travel", "account_takeover", "amount_spike", "unusual_category_hour",
            }));
            foreach (var scenario in scenarios)
            {
                var name = scenario.GetProperty("scenario").GetString();
                Assert.That(scenario.GetProperty("labelled").GetInt64(), Is.GreaterThan(10), name);
                Assert.That(scenario.GetProperty("recall").GetDouble(), Is.AtLeast(0.9), name);
                Assert.That(scenario.GetProperty("precision").GetDouble(), Is.AtLeast(0.8), name);
            }

            Assert.That(root.GetProperty("goal_met").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("model_version").GetString(), Does.StartWith("s7-"));
        }
    }

    [TestCase("--fraud-share", "1.5", "--fraud-share must be in [0, 1]")]
    [TestCase("--users", "0", "--users must be at least 1")]
    [TestCase("--scenario", "bank_robbery", "Unknown scenario(s): bank_robbery")]
    public async Task Simulate_refuses_bad_options_naming_the_switch(string option, string value, string message)
    {
        var result = await Infrastructure.Cli.RunAsync(Environment(), "simulate", "--count", "10", option, value);

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString);
        Assert.That(result.Output, Does.Contain(message));
    }

    [Test]
    public async Task A_detection_worker_without_its_model_says_how_to_get_one()
    {
        var result = await Infrastructure.Cli.RunAsync(Environment(), "run", "detection", "--model", "/nonexistent/fraud-model.zip");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
        Assert.That(result.Output, Does.Contain("No fraud model at /nonexistent/fraud-model.zip").And.Contain("stream-sentinel train"));
    }

    // Evaluation state goes under a prefix of its own inside the shared Redis; Kafka is not touched by these commands.
    private static Dictionary<string, string> Environment() => new()
    {
        ["SS_REDIS"] = TestServers.Current.Redis,
        ["SS_KAFKA"] = TestServers.Current.Kafka,
    };
}
