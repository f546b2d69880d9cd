using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Evaluation;

namespace StreamSentinel.Domain.Tests.Evaluation;

public sealed class EvaluatorTests
{
    private static readonly string[] Scenarios = [BusinessRules.VelocityBurst, BusinessRules.AmountSpike];

    [Test]
    public void Recall_counts_labels_and_precision_counts_alerts_by_the_strongest_rule()
    {
        var evaluator = new Evaluator(Scenarios, s => s >= Severity.Medium);
        evaluator.Add(BusinessRules.VelocityBurst, Result(Severity.Critical, (BusinessRules.VelocityBurst, 0.7)));
        evaluator.Add(BusinessRules.VelocityBurst, Result(Severity.Critical, (BusinessRules.VelocityBurst, 0.7), (BusinessRules.AmountSpike, 0.75)));
        evaluator.Add(BusinessRules.VelocityBurst, Result(Severity.Low));
        evaluator.Add(BusinessRules.AmountSpike, Result(Severity.High));
        evaluator.Add(null, Result(Severity.Medium, (BusinessRules.AmountSpike, 0.75)));
        evaluator.Add(null, Result(Severity.Minimal));

        var report = evaluator.Report(seed: 5, "v1", "MEDIUM,HIGH,CRITICAL", goalRecall: 0.9, goalPrecision: 0.8);

        var velocity = report.Scenarios.Single(s => s.Scenario == BusinessRules.VelocityBurst);
        var spike = report.Scenarios.Single(s => s.Scenario == BusinessRules.AmountSpike);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((velocity.Labelled, velocity.Detected, velocity.Attributed, velocity.AttributedFraud), Is.EqualTo((3L, 2L, 1L, 1L)));
            Assert.That(velocity.Recall, Is.EqualTo(2.0 / 3));
            Assert.That((spike.Labelled, spike.Detected, spike.Attributed, spike.AttributedFraud), Is.EqualTo((1L, 1L, 2L, 1L)), "the spike rule outweighs velocity on the second alert; one of its alerts is legitimate");
            Assert.That(spike.Precision, Is.EqualTo(0.5));
            Assert.That((report.ModelOnly.Attributed, report.ModelOnly.AttributedFraud), Is.EqualTo((1L, 1L)), "the HIGH spike without a rule is the model's");
            Assert.That((report.Overall.Labelled, report.Overall.Detected, report.Overall.Attributed, report.Overall.AttributedFraud), Is.EqualTo((4L, 3L, 4L, 3L)));
            Assert.That(report.Confusion["legitimate"], Is.EquivalentTo(new Dictionary<string, long> { ["MEDIUM"] = 1, ["MINIMAL"] = 1 }));
            Assert.That(report.Confusion.Keys.Last(), Is.EqualTo("legitimate"));
            Assert.That(report.GoalMet, Is.False);
        }
    }

    [Test]
    public void A_scenario_nothing_was_attributed_to_has_no_precision_rather_than_zero()
    {
        var evaluator = new Evaluator(Scenarios, s => s >= Severity.Medium);
        evaluator.Add(BusinessRules.AmountSpike, Result(Severity.Low));

        var spike = evaluator.Report(1, "v1", "", 0.9, 0.8).Scenarios.Single(s => s.Scenario == BusinessRules.AmountSpike);

        Assert.That((spike.Recall, double.IsNaN(spike.Precision), spike.F1), Is.EqualTo((0.0, true, 0.0)));
    }

    private static DetectionResult Result(Severity severity, params (string Rule, double Weight)[] rules) => new()
    {
        Severity = severity,
        BusinessRulesTriggered = [.. rules.Select(r => r.Rule)],
        Explanation = new DetectionExplanation { Items = [.. rules.Select(r => new ExplanationItem("rule", r.Rule, "", r.Weight)), new ExplanationItem("model", "m", "", 0.1)] },
    };
}
