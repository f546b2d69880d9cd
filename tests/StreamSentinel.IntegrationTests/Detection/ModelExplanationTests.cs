using StreamSentinel.Contracts;
using StreamSentinel.Detection.Model;
using StreamSentinel.Detection.Pipeline;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Detection.State;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Simulation;

namespace StreamSentinel.IntegrationTests.Detection;

/// <summary>
/// The model's reasons on each alert, judged against what the simulator planted: the shipped model, the detector as
/// the worker runs it, and state kept in memory as the worker keeps it.
/// </summary>
public sealed class ModelExplanationTests
{
    /// <summary>The features that carry each scenario's signal, from the scenario's own description.</summary>
    private static readonly Dictionary<string, string[]> Signals = new()
    {
        [FraudScenarios.VelocityBurst] = ["txn_count_1m", "txn_count_1h", "txn_count_24h", "log_seconds_since_last", "log_amount_sum_1h", "is_new_device", "device_frequency", "log_device_age"],
        // Played from the fraudster's city with a foreign IP and device: distance and speed carry it too.
        [FraudScenarios.CardTesting] = ["log_amount", "log_amount_to_mean", "amount_zscore", "is_new_merchant", "txn_count_1m", "txn_count_1h", "log_seconds_since_last", "log_distance_km", "log_speed_kmh", "is_new_device", "device_frequency"],
        [FraudScenarios.ImpossibleTravel] = ["log_speed_kmh", "log_distance_km", "is_new_country", "country_frequency"],
        [FraudScenarios.AccountTakeover] = ["is_new_device", "device_frequency", "log_device_age", "is_new_country", "country_frequency", "log_amount", "log_amount_to_mean", "amount_zscore", "category_frequency"],
        [FraudScenarios.AmountSpike] = ["log_amount_to_mean", "amount_zscore", "log_amount", "log_amount_sum_1h", "log_amount_sum_24h"],
        [FraudScenarios.UnusualCategoryHour] = ["category_frequency", "hour_frequency"],
    };

    [Test]
    public void Every_alert_carries_the_models_top_reasons_and_most_alerts_of_each_scenario_name_its_signal()
    {
        using var model = FraudModel.Load(RepositoryRoot.Combine("models", "fraud-model.zip"));
        var detector = new Detector(model, new BusinessRules(new RuleOptions()), new SeverityThresholds(), TimeProvider.System);
        var states = new UserStateTable(new UserStateLimits());
        var explained = FraudScenarios.All.ToDictionary(s => s, _ => new List<string[]>());
        var alerts = 0;
        var unexplained = new List<string>();
        var quiet = new List<string>();
        foreach (var simulated in new TransactionSimulator(new SimulationOptions { Seed = 61, Users = 400, FraudShare = 0.03 }).Generate(60_000))
        {
            if (states.Apply(simulated.Transaction) is not { } state)
            {
                continue;
            }

            var result = detector.Detect(simulated.Transaction, state, DateTimeOffset.UtcNow);
            var reasons = result.Explanation.Items.Where(i => i.Source == "model" && ModelFeatures.Names.Contains(i.Code)).ToList();
            if (result.Severity < Detector.ExplainedFrom)
            {
                if (reasons.Count > 0)
                {
                    quiet.Add(result.TransactionId);
                }

                continue;
            }

            alerts++;
            if (reasons.Count is 0 or > Detector.ExplainedFeatures || reasons.Any(r => !r.Message.Contains(" log-odds", StringComparison.Ordinal)))
            {
                unexplained.Add(result.TransactionId);
            }

            if (simulated.Scenario is { } scenario && reasons.Count > 0)
            {
                explained[scenario].Add([.. reasons.Select(r => r.Code)]);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alerts, Is.GreaterThan(200), "enough alerts to judge");
            Assert.That(unexplained, Is.Empty, "alerts without 1 to 3 model reasons");
            Assert.That(quiet, Is.Empty, "results below MEDIUM carry the probability alone");
            foreach (var (scenario, alerted) in explained)
            {
                // The model's reasons are the model's, not the simulator's: a feature that separates fraud well in
                // general (distance from the last payment) may lead. But the scenario's own signal must be among the
                // reasons of most of its alerts, or the explanation would not help the analyst who works them.
                var withSignal = alerted.Count(reasons => reasons.Any(Signals[scenario].Contains));
                var leading = string.Join(", ", alerted.GroupBy(r => r[0]).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));
                Assert.That(alerted, Has.Count.GreaterThanOrEqualTo(10), $"{scenario}: alerts with reasons");
                Assert.That(withSignal, Is.GreaterThan(alerted.Count / 2), $"{scenario}: {withSignal} of {alerted.Count} alerts name its signal; leading reasons {leading}");
            }
        }
    }

    [Test]
    public void A_reason_is_the_feature_in_words_with_its_value_against_the_users_normal_and_a_signed_contribution()
    {
        using var model = FraudModel.Load(RepositoryRoot.Combine("models", "fraud-model.zip"));
        var features = new FraudFeatures { HistoryCount = 40, AmountMean = 30, AmountStdDev = 10, AmountZScore = 44.0, TxnCount1m = 1, TxnCount1h = 1, TxnCount24h = 3 };
        var transaction = new Transaction
        {
            TransactionId = "txn-1", UserId = "user-1", CardId = "card-1", MerchantId = "merchant-1", MerchantCategory = "5411",
            Amount = 480m, Currency = "EUR", EventTime = DateTimeOffset.UnixEpoch.AddYears(56), Latitude = 48.8566, Longitude = 2.3522,
            Country = "FR", DeviceId = "device-1", IpAddress = "203.0.113.7", Channel = Channel.ECommerce,
        };
        var vector = ModelFeatures.From(transaction, features);
        var contributions = model.Contributions(vector);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(contributions, Has.Length.EqualTo(ModelFeatures.Count));
            Assert.That(contributions.Any(c => c != 0), Is.True, "a model of 200 trees credits some feature");
            Assert.That(ModelFeatures.Describe(ModelFeatures.Names.ToList().IndexOf("log_amount_to_mean"), transaction, features), Is.EqualTo("amount 15.5 × this user's mean of 30.00"));
            Assert.That(ModelFeatures.Describe(ModelFeatures.Names.ToList().IndexOf("amount_zscore"), transaction, features), Is.EqualTo("amount 44.0 standard deviations from this user's mean of 30.00"));
            Assert.That(Enumerable.Range(0, ModelFeatures.Count).Select(i => ModelFeatures.Describe(i, transaction, features)), Has.All.Not.Empty, "every feature has words");
        }
    }
}
