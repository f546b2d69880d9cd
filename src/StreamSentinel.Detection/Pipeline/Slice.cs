using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka.DeadLetters;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>The front of one partition's backlog taken into a batch, each message read once: a transaction or why it is refused.</summary>
internal sealed class Slice(OwnedPartition partition)
{
    public OwnedPartition Partition { get; } = partition;

    public List<ConsumeResult<byte[]?, byte[]?>> Messages { get; } = [];

    public List<Transaction?> Transactions { get; } = [];

    public List<DeadLetter?> Refused { get; } = [];

    public void Add(ConsumeResult<byte[]?, byte[]?> message, MessageReader<Transaction> reader)
    {
        Messages.Add(message);
        // Already applied (at or below the restored offset): skipped without reading.
        if (message.Offset.Value <= Partition.RestoredOffset)
        {
            Transactions.Add(null);
            Refused.Add(null);
        }
        else if (reader.TryRead(message.Message.Value, out var transaction, out var error))
        {
            Transactions.Add(transaction);
            Refused.Add(null);
        }
        else
        {
            Transactions.Add(null);
            Refused.Add(new DeadLetter(message, error.Code, error.Detail));
        }
    }
}
