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

    /// <summary>
    /// The figures the shipped model gave on this seed when user state still lived in Redis (exact sliding windows, one
    /// script call per user and batch), measured before the in-memory state replaced it: the bucketed windows must
    /// not change what detection finds.
    /// </summary>
    [Test]
    public async Task In_memory_state_detects_what_the_exact_redis_windows_did_within_a_hundredth()
    {
        var before = new Dictionary<string, (double Precision, double Recall)>
        {
            ["velocity_burst"] = (0.9816176470588235, 1),
            ["card_testing"] = (0.9326923076923077, 1),
            ["impossible_travel"] = (1, 1),
            ["account_takeover"] = (1, 1),
            ["amount_spike"] = (0.8157894736842105, 1),
            ["unusual_category_hour"] = (1, 0.9215686274509803),
        };

        var result = await Infrastructure.Cli.RunAsync(Environment(), "evaluate", "--seed", "4242", "--count", "100000", "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString);
        using var report = JsonDocument.Parse(result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var now = report.RootElement.GetProperty("scenarios").EnumerateArray().ToDictionary(
            s => s.GetProperty("scenario").GetString()!, s => (Precision: s.GetProperty("precision").GetDouble(), Recall: s.GetProperty("recall").GetDouble()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(now.Keys, Is.EquivalentTo(before.Keys));
            foreach (var (scenario, figures) in before)
            {
                Assert.That(now[scenario].Precision, Is.EqualTo(figures.Precision).Within(0.01), $"{scenario} precision");
                Assert.That(now[scenario].Recall, Is.EqualTo(figures.Recall).Within(0.01), $"{scenario} recall");
            }
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
