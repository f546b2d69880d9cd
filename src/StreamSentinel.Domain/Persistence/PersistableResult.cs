using System.Diagnostics;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Persistence;

/// <summary>A valid result read from Kafka, with where it came from and where it must go.</summary>
/// <param name="Result">The result; its <see cref="DetectionResult.Transaction"/> is never null here.</param>
/// <param name="Source">Its Kafka coordinates.</param>
/// <param name="IsAlert">Whether it becomes an alert in PostgreSQL, as <c>SeverityRouter</c> decided.</param>
/// <param name="MayRepeat">Detection published it for a redelivered transaction: an earlier message may carry the same event.</param>
public sealed record PersistableResult(DetectionResult Result, KafkaCoordinates Source, bool IsAlert, bool MayRepeat = false)
{
    public Transaction Transaction => Result.Transaction!;

    /// <summary>The trace this result belongs to (from its message's W3C headers); default when it carries none.</summary>
    public ActivityContext Trace { get; init; }
}
