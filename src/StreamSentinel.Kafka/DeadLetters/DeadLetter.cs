using Confluent.Kafka;
using StreamSentinel.Contracts.Privacy;

namespace StreamSentinel.Kafka.DeadLetters;

/// <summary>A message the worker will not store, with the reason, on its way to the dead-letter topic.</summary>
/// <param name="Original">The message as consumed (key, value, headers, coordinates).</param>
/// <param name="Reason">A stable code, e.g. <c>missing_field</c> or <c>rejected_by_postgres</c>.</param>
/// <param name="Detail">What exactly is wrong, for the person who reads the dead-letter topic.</param>
public sealed record DeadLetter(ConsumeResult<byte[]?, byte[]?> Original, string Reason, string Detail)
{
    /// <summary>What exactly is wrong, with any card number in it masked: it goes to logs, audit events and headers.</summary>
    public string Detail { get; init; } = CardNumbers.Mask(Detail);
}
