using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.DeadLetters;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// Transactions between consumption and commit, with what became of each: a result or a dead letter, and whether
/// Kafka acknowledged it. A retry after a failure publishes only what was not acknowledged yet.
/// </summary>
public sealed class HeldBatch(List<ConsumeResult<byte[]?, byte[]?>> messages)
{
    public List<ConsumeResult<byte[]?, byte[]?>> Messages { get; } = messages;

    /// <summary>Per message, once parsed: the transaction, or null when it is refused.</summary>
    public Transaction?[] Transactions { get; } = new Transaction?[messages.Count];

    /// <summary>Per message, once detected: its result, or null when it is a dead letter.</summary>
    public DetectionResult?[]? Results { get; set; }

    /// <summary>Per message: the state had applied its transaction before, so its result may repeat a published one.</summary>
    public bool[] Redelivered { get; } = new bool[messages.Count];

    /// <summary>Per message, once parsed: why it is refused, or null when it is valid.</summary>
    public DeadLetter?[] Refused { get; } = new DeadLetter?[messages.Count];

    /// <summary>Per message: its result or dead letter is acknowledged by Kafka.</summary>
    public bool[] Acknowledged { get; } = new bool[messages.Count];

    public bool Parsed { get; set; }

    /// <summary>When detection of the batch began: the start of each transaction's detection span.</summary>
    public DateTimeOffset DetectedFrom { get; set; }

    public int Attempts { get; set; }

    /// <summary>The same batch without the messages of revoked partitions (their next owner handles them).</summary>
    public HeldBatch Without(IReadOnlyCollection<TopicPartition> revoked)
    {
        var keep = Enumerable.Range(0, Messages.Count).Where(i => !revoked.Contains(Messages[i].TopicPartition)).ToList();
        var kept = new HeldBatch([.. keep.Select(i => Messages[i])]) { Parsed = Parsed, Attempts = Attempts, DetectedFrom = DetectedFrom };
        kept.Results = Results is null ? null : [.. keep.Select(i => Results[i])];
        for (var k = 0; k < keep.Count; k++)
        {
            kept.Transactions[k] = Transactions[keep[k]];
            kept.Redelivered[k] = Redelivered[keep[k]];
            kept.Refused[k] = Refused[keep[k]];
            kept.Acknowledged[k] = Acknowledged[keep[k]];
        }

        return kept;
    }
}
