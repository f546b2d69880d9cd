using StreamSentinel.Migrations.Retention;

namespace StreamSentinel.Migrations.Tests;

public sealed class RetentionRuleTests
{
    [Test]
    public void Rules_come_from_the_ttl_script()
    {
        Assert.That(
            RetentionRule.FromSchema().ToDictionary(r => r.Table, r => r.Years),
            Is.EqualTo(new Dictionary<string, int>
            {
                ["transaction_records"] = 2,
                ["detection_results"] = 2,
                ["fraud_features"] = 1,
                ["fraud_rate_hourly_agg"] = 2,
                ["model_accuracy_hourly_agg"] = 2,
            }));
    }

    [TestCase(2, "2026-11-25", 202411)]
    [TestCase(1, "2026-01-31", 202501)]
    public void Oldest_kept_month_is_the_month_of_the_cutoff(int years, string now, int expected)
    {
        var rule = new RetentionRule("t", years);

        Assert.That(rule.OldestKeptMonth(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));
    }
}
