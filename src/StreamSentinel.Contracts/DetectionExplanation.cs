namespace StreamSentinel.Contracts;

/// <summary>Why a result scored as it did: a sentence for a human and the contributions behind it.</summary>
public sealed record DetectionExplanation
{
    public string Summary { get; init; } = "";

    /// <summary>The score the model gave, before the rules were combined with it.</summary>
    public double ModelScore { get; init; }

    /// <summary>The score the business rules gave, before the model was combined with them.</summary>
    public double RuleScore { get; init; }

    public IReadOnlyList<ExplanationItem> Items { get; init; } = [];

    public static DetectionExplanation Empty { get; } = new();
}
