using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Domain.Evaluation;

/// <summary>Tallies results against the simulator's ground truth.</summary>
public sealed class Evaluator(IReadOnlyList<string> scenarios, Func<Severity, bool> isAlert)
{
    public const string Legitimate = "legitimate";

    private readonly Dictionary<string, long> _labelled = [];
    private readonly Dictionary<string, long> _detected = [];
    private readonly Dictionary<string, long> _attributed = [];
    private readonly Dictionary<string, long> _attributedFraud = [];
    private readonly Dictionary<string, Dictionary<string, long>> _confusion = [];
    private long _count;

    public void Add(string? scenario, DetectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _count++;
        var label = scenario ?? Legitimate;
        Increment(_labelled, label);
        var severities = _confusion.TryGetValue(label, out var row) ? row : _confusion[label] = [];
        Increment(severities, SeverityNames.Of(result.Severity));
        if (!isAlert(result.Severity))
        {
            return;
        }

        Increment(_detected, label);
        var attributedTo = Attribute(result);
        Increment(_attributed, attributedTo);
        if (scenario is not null)
        {
            Increment(_attributedFraud, attributedTo);
        }
    }

    public EvaluationReport Report(int seed, string modelVersion, string alertSeverity, double goalRecall, double goalPrecision)
    {
        var rows = scenarios.Select(Row).ToList();
        var fraudLabelled = _labelled.Where(p => p.Key != Legitimate).Sum(p => p.Value);
        var fraudDetected = _detected.Where(p => p.Key != Legitimate).Sum(p => p.Value);
        var alerts = _attributed.Values.Sum();
        return new EvaluationReport
        {
            Seed = seed,
            Transactions = _count,
            ModelVersion = modelVersion,
            AlertSeverity = alertSeverity,
            Scenarios = rows,
            Overall = new ScenarioMetrics("overall", fraudLabelled, fraudDetected, alerts, _attributedFraud.Values.Sum()),
            ModelOnly = new ScenarioMetrics("model_only", 0, 0, Get(_attributed, "model_only"), Get(_attributedFraud, "model_only")),
            Confusion = _confusion.OrderBy(p => p.Key == Legitimate).ThenBy(p => p.Key, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, long>)p.Value),
            GoalRecall = goalRecall,
            GoalPrecision = goalPrecision,
        };
    }

    private ScenarioMetrics Row(string scenario) =>
        new(scenario, Get(_labelled, scenario), Get(_detected, scenario), Get(_attributed, scenario), Get(_attributedFraud, scenario));

    // The rule that weighs most speaks for the alert; rules are named after the scenarios they look for.
    private static string Attribute(DetectionResult result) =>
        result.Explanation.Items.Where(i => i.Source == "rule" && BusinessRules.Names.Contains(i.Code)).MaxBy(i => i.Weight)?.Code ?? "model_only";

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = Get(counts, key) + 1;

    private static long Get(Dictionary<string, long> counts, string key) => counts.TryGetValue(key, out var value) ? value : 0;
}
