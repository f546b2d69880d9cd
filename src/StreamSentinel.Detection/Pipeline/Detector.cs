using System.Globalization;
using StreamSentinel.Contracts;
using StreamSentinel.Detection.Model;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// From a transaction and the user's state before it to a result: features, rules, model, score and severity.
/// Pure given its inputs (apart from the time stamps), so a redelivered transaction gets the same verdict.
/// </summary>
public sealed class Detector(FraudModel model, BusinessRules rules, SeverityThresholds thresholds, TimeProvider time)
{
    /// <summary>Model features explained per alert: what an analyst reads at a glance; the rest are in the features.</summary>
    public const int ExplainedFeatures = 3;

    /// <summary>
    /// From this severity up (the ones that become alerts unless routing says otherwise) the model's reasons are
    /// computed; below, the probability alone, so that the bulk of traffic pays nothing for explanations.
    /// </summary>
    public const Severity ExplainedFrom = Severity.Medium;

    public string ModelName => model.Name;

    public string ModelVersion => model.Version;

    /// <param name="transaction">A valid transaction.</param>
    /// <param name="state">The user's state just before it.</param>
    /// <param name="receivedAt">When the worker read it, for the result's detection latency.</param>
    public DetectionResult Detect(Transaction transaction, UserStateSnapshot state, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var features = FeatureCalculator.Compute(transaction, state);
        var hits = rules.Evaluate(transaction, features);
        var ruleScore = BusinessRules.Score(hits);
        var vector = ModelFeatures.From(transaction, features);
        var modelScore = model.Score(vector);
        // The higher of the two views: a rule an analyst can read is never outvoted by the model, nor the reverse.
        var score = Math.Round(Math.Max(modelScore, ruleScore), 6);
        var severity = thresholds.Classify(score);
        var items = new List<ExplanationItem>(hits.Count + 1 + ExplainedFeatures);
        items.AddRange(hits);
        items.Add(new ExplanationItem("model", model.Name, string.Create(CultureInfo.InvariantCulture, $"model probability {modelScore:F3}"), Math.Round(modelScore, 6)));
        if (severity >= ExplainedFrom)
        {
            items.AddRange(Reasons(transaction, features, vector));
        }

        var now = time.GetUtcNow();
        return new DetectionResult
        {
            EventId = transaction.EventId,
            TransactionId = transaction.TransactionId,
            UserId = transaction.UserId,
            FraudScore = score,
            Severity = severity,
            BusinessRulesTriggered = [.. hits.Select(h => h.Code)],
            Explanation = new DetectionExplanation
            {
                Summary = Summarize(hits, modelScore, severity),
                ModelScore = Math.Round(modelScore, 6),
                RuleScore = Math.Round(ruleScore, 6),
                Items = items,
            },
            Features = features,
            ModelName = model.Name,
            ModelVersion = model.Version,
            DetectionLatencyMs = Math.Max(0, (now - receivedAt).TotalMilliseconds),
            DetectedAt = now,
            CorrelationId = transaction.EventId,
            Transaction = transaction,
        };
    }

    /// <summary>
    /// The features that pushed the model's score towards fraud most, as items: the feature in words and its
    /// contribution in log-odds. What pulled it the other way does not explain an alert.
    /// </summary>
    private IEnumerable<ExplanationItem> Reasons(Transaction transaction, FraudFeatures features, float[] vector)
    {
        var contributions = model.Contributions(vector);
        return Enumerable.Range(0, contributions.Length)
            .Where(i => contributions[i] > 0)
            .OrderByDescending(i => contributions[i]).ThenBy(i => i)
            .Take(ExplainedFeatures)
            .Select(i => new ExplanationItem(
                "model",
                ModelFeatures.Names[i],
                string.Create(CultureInfo.InvariantCulture, $"{ModelFeatures.Describe(i, transaction, features)}, {contributions[i]:+0.00;-0.00} log-odds"),
                Math.Round(contributions[i], 4)));
    }

    private static string Summarize(List<ExplanationItem> hits, double modelScore, Severity severity)
    {
        var model = string.Create(CultureInfo.InvariantCulture, $"model {modelScore:F2}");
        return hits.Count == 0
            ? $"{SeverityNames.Of(severity)}: no rule fired; {model}."
            : $"{SeverityNames.Of(severity)}: {string.Join("; ", hits.Select(h => $"{h.Code} ({h.Message})"))}; {model}.";
    }
}
