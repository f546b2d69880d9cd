using Confluent.Kafka;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Tracing;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// The detection results: alerts into PostgreSQL per poll batch, every result into the three ClickHouse tables in
/// large blocks (see <see cref="IBlockStore{TBatch}"/>).
/// </summary>
public sealed class ResultStore(IOptions<PersistenceOptions> options, SeverityRouter router, BatchWriter writer) : IBatchStore<PendingBatch>, IBlockStore<PendingBatch>
{
    private readonly MessageReader<DetectionResult> _reader = ContractReaders.DetectionResults(options.Value.MaxMessageBytes);

    public string Name => "results";

    public IReadOnlyList<string> Topics { get; } = [StreamSentinel.Kafka.Topics.DetectionResults];

    public string ConsumerGroup => options.Value.ConsumerGroup;

    public PendingBatch Parse(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages)
    {
        var batch = new PendingBatch(messages);
        foreach (var message in messages)
        {
            if (_reader.TryRead(message.Message.Value, out var result, out var error))
            {
                var source = new KafkaCoordinates(message.Topic, message.Partition.Value, message.Offset.Value);
                var mayRepeat = message.Message.Headers?.TryGetLastBytes(MessageHeaders.MayRepeat, out _) == true;
                batch.Results.Add(new PersistableResult(result, source, router.IsAlert(result.Severity), mayRepeat)
                {
                    Trace = PipelineTracing.Extract(message.Message.Headers),
                });
            }
            else
            {
                batch.DeadLetters.Add(new DeadLetter(message, error.Code, error.Detail));
            }
        }

        return batch;
    }

    public int BlockRows => options.Value.ClickHouseBlockRows;

    public TimeSpan BlockAge => TimeSpan.FromMilliseconds(options.Value.ClickHouseBlockMs);

    /// <summary>The fast stage: the batch's alerts and spans into PostgreSQL.</summary>
    public Task WriteAsync(PendingBatch batch, CancellationToken cancellationToken) => writer.WritePostgresAsync(batch, cancellationToken);

    public void Append(ResultBlock block, PendingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(block);
        block.Add(batch);
    }

    public Task WriteBlockAsync(ResultBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        return writer.WriteClickHouseAsync(block.Batch, cancellationToken);
    }

    public PendingBatch Merge(PendingBatch earlier, PendingBatch later)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return earlier.Append(later);
    }

    public PendingBatch Without(PendingBatch batch, IReadOnlyCollection<TopicPartition> revoked) => batch.Without(revoked);

    public void Assigned(IReadOnlyCollection<TopicPartition> partitions) => writer.Assigned(partitions.Select(p => (p.Topic, p.Partition.Value)));

    public void Revoked(IReadOnlyCollection<TopicPartition> partitions) => writer.Revoked(partitions.Select(p => (p.Topic, p.Partition.Value)));
}
