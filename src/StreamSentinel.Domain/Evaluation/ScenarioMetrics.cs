namespace StreamSentinel.Domain.Evaluation;

/// <summary>
/// Detection quality for one scenario (or overall). Recall: share of its labelled transactions that were alerted.
/// Precision: share of the alerts attributed to it (by the strongest rule that fired) that were fraud of any kind.
/// </summary>
public sealed record ScenarioMetrics(string Scenario, long Labelled, long Detected, long Attributed, long AttributedFraud)
{
    public double Recall => Labelled == 0 ? double.NaN : (double)Detected / Labelled;

    public double Precision => Attributed == 0 ? double.NaN : (double)AttributedFraud / Attributed;

    public double F1 => Recall + Precision is var sum && sum > 0 ? 2 * Recall * Precision / sum : 0;
}
