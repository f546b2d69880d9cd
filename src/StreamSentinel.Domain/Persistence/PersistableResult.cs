using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Persistence;

/// <summary>A valid result read from Kafka, with where it came from and where it must go.</summary>
/// <param name="Result">The result; its <see cref="DetectionResult.Transaction"/> is never null here.</param>
/// <param name="Source">Its Kafka coordinates.</param>
/// <param name="IsAlert">Whether it becomes an alert in PostgreSQL, as <c>SeverityRouter</c> decided.</param>
public sealed record PersistableResult(DetectionResult Result, KafkaCoordinates Source, bool IsAlert)
{
    public Transaction Transaction => Result.Transaction!;
}
