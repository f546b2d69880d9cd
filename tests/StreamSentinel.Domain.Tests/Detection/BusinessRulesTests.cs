using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Domain.Tests.Detection;

public sealed class BusinessRulesTests
{
    private static readonly BusinessRules Rules = new(new RuleOptions());

    // A habitual payment of a user with a long history: no rule may fire on it.
    private static readonly FraudFeatures Usual = new()
    {
        TxnCount1m = 1, TxnCount1h = 1, TxnCount24h = 4, AmountMean = 40, AmountStdDev = 15, AmountZScore = 0.3,
        DistanceFromLastKm = 2, TravelSpeedKmh = 1, SecondsSinceLast = 7200, HistoryCount = 80, DeviceFrequency = 0.6,
        DeviceAgeSeconds = 3e6, CountryFrequency = 1, CategoryFrequency = 0.3, HourFrequency = 0.08, HourOfDay = 13,
    };

    private static IEnumerable<TestCaseData> Scenarios()
    {
        // Features, amount, merchant category: which rules fire.
        yield return new TestCaseData(Usual with { TxnCount1m = 5, TxnCount1h = 6 }, 45m, "5411").Returns(new[] { BusinessRules.VelocityBurst });
        yield return new TestCaseData(Usual with { TxnCount1m = 2, TxnCount1h = 4, IsNewMerchant = true }, 1.99m, "5815").Returns(new[] { BusinessRules.CardTesting });
        yield return new TestCaseData(Usual with { DistanceFromLastKm = 5800, TravelSpeedKmh = 11_000, SecondsSinceLast = 1900 }, 45m, "5411").Returns(new[] { BusinessRules.ImpossibleTravel });
        yield return new TestCaseData(Usual with { DeviceFrequency = 0.02, DeviceAgeSeconds = 600, CountryFrequency = 0.02, AmountZScore = 6 }, 700m, "5732").Returns(new[] { BusinessRules.AccountTakeover });
        yield return new TestCaseData(Usual with { AmountZScore = 30 }, 1500m, "5411").Returns(new[] { BusinessRules.AmountSpike });
        yield return new TestCaseData(Usual with { CategoryFrequency = 0, HourFrequency = 0, HourOfDay = 3 }, 200m, "7995").Returns(new[] { BusinessRules.UnusualCategoryHour });
        yield return new TestCaseData(Usual with { CategoryFrequency = 0, HourFrequency = 0, HourOfDay = 3 }, 200m, "7011").Returns(Array.Empty<string>())
            .SetName("A first hotel night is not an unusual category");
        yield return new TestCaseData(Usual with { AmountZScore = 9 }, 300m, "5411").Returns(Array.Empty<string>())
            .SetName("A big purchase below ten times the mean is not a spike");
        yield return new TestCaseData(Usual, 45m, "5411").Returns(Array.Empty<string>());
    }

    [TestCaseSource(nameof(Scenarios))]
    public string[] Each_rule_fires_on_its_pattern_alone(FraudFeatures features, decimal amount, string category) =>
        [.. Rules.Evaluate(FeatureCalculatorTests.Payment(amount, 0, 0, category), features).Select(h => h.Code)];

    [Test]
    public void Rules_about_habits_stay_silent_without_history()
    {
        var newcomer = Usual with { HistoryCount = 3, AmountZScore = 30, CategoryFrequency = 0, HourFrequency = 0 };

        Assert.That(Rules.Evaluate(FeatureCalculatorTests.Payment(1500m, 0, 0), newcomer), Is.Empty);
    }

    [Test]
    public void Every_hit_explains_itself_in_a_sentence()
    {
        var hits = Rules.Evaluate(FeatureCalculatorTests.Payment(1500m, 0, 0), Usual with { AmountZScore = 30, TxnCount1m = 6 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hits.Select(h => h.Code), Is.EqualTo(new[] { BusinessRules.VelocityBurst, BusinessRules.AmountSpike }));
            Assert.That(hits.Select(h => h.Source), Is.All.EqualTo("rule"));
            Assert.That(hits[0].Message, Does.Contain("6 payments in the last minute"));
            Assert.That(hits[1].Message, Does.Contain("1500.00 EUR is 30.0 standard deviations above"));
        }
    }

    [Test]
    public void Hits_combine_as_independent_evidence()
    {
        var hits = new[] { new ExplanationItem("rule", "a", "", 0.5), new ExplanationItem("rule", "b", "", 0.5) };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(BusinessRules.Score(hits), Is.EqualTo(0.75).Within(1e-12));
            Assert.That(BusinessRules.Score([]), Is.Zero);
        }
    }

    [TestCase(0.0, Severity.Minimal)]
    [TestCase(0.2499, Severity.Minimal)]
    [TestCase(0.25, Severity.Low)]
    [TestCase(0.5, Severity.Medium)]
    [TestCase(0.75, Severity.High)]
    [TestCase(0.9, Severity.Critical)]
    [TestCase(1.0, Severity.Critical)]
    public void Thresholds_are_inclusive_lower_bounds(double score, Severity expected) =>
        Assert.That(new SeverityThresholds().Classify(score), Is.EqualTo(expected));

    [Test]
    public void Thresholds_that_do_not_rise_are_refused()
    {
        var thresholds = new SeverityThresholds { Medium = 0.8, High = 0.7 };

        Assert.That(thresholds.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(thresholds)), Is.Not.Empty);
    }
}
