namespace StreamSentinel.Domain.Evaluation;

/// <summary>What <c>stream-sentinel evaluate</c> prints: quality per scenario and overall, and where each label landed by severity.</summary>
public sealed record EvaluationReport
{
    public int Seed { get; init; }

    public long Transactions { get; init; }

    public string ModelVersion { get; init; } = "";

    /// <summary>Alerts are results at or above this severity.</summary>
    public string AlertSeverity { get; init; } = "";

    public IReadOnlyList<ScenarioMetrics> Scenarios { get; init; } = [];

    public ScenarioMetrics Overall { get; init; } = new("overall", 0, 0, 0, 0);

    /// <summary>Alerts no rule fired for (the model alone), and how many of them were fraud.</summary>
    public ScenarioMetrics ModelOnly { get; init; } = new("model_only", 0, 0, 0, 0);

    /// <summary>Label (a scenario, or <c>legitimate</c>) → severity → transactions.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Confusion { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    public double GoalRecall { get; init; }

    public double GoalPrecision { get; init; }

    /// <summary>Every scenario reaches the recall goal at the precision goal.</summary>
    public bool GoalMet => Scenarios.All(s => s.Recall >= GoalRecall && s.Precision >= GoalPrecision);
}
