namespace StreamSentinel.Contracts;

/// <summary>
/// The verdict of the detection worker on one transaction, published to <c>fraud-detection-results</c> keyed by user.
/// </summary>
/// <remarks>
/// It carries the transaction itself, so that the persistence worker can fill every store from this one message.
/// <see cref="EventId"/>, <see cref="TransactionId"/> and <see cref="UserId"/> repeat the transaction's and must agree with it.
/// </remarks>
public sealed record DetectionResult
{
    /// <summary>The version of this contract the message was written with.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public string EventId { get; init; } = "";

    public string TransactionId { get; init; } = "";

    public string UserId { get; init; } = "";

    /// <summary>Probability-like score in [0, 1]; higher is more likely fraud.</summary>
    public double FraudScore { get; init; }

    public Severity Severity { get; init; }

    /// <summary>Names of the business rules that fired, in the order they were evaluated.</summary>
    public IReadOnlyList<string> BusinessRulesTriggered { get; init; } = [];

    public DetectionExplanation Explanation { get; init; } = DetectionExplanation.Empty;

    /// <summary>The features the rules and the model saw.</summary>
    public FraudFeatures Features { get; init; } = new();

    public string ModelName { get; init; } = "";

    public string ModelVersion { get; init; } = "";

    /// <summary>Time from receiving the transaction to publishing this result, in milliseconds.</summary>
    public double DetectionLatencyMs { get; init; }

    public DateTimeOffset DetectedAt { get; init; }

    /// <summary>Ties together every log line, metric exemplar and record that stems from one transaction.</summary>
    public string CorrelationId { get; init; } = "";

    public Transaction? Transaction { get; init; }

    public const int CurrentSchemaVersion = 1;
}
