using System.Globalization;
using System.Text;
using Confluent.Kafka;
using StreamSentinel.Contracts.Privacy;


namespace StreamSentinel.Kafka.DeadLetters;

/// <summary>Publishes refused messages to <c>fraud-detection-dlq</c>, unchanged (card numbers masked), with headers that say why and where from.</summary>
public sealed class DeadLetterPublisher(IProducer<byte[]?, byte[]?> producer, TimeProvider time)
{
    public const string ReasonHeader = "ss-dlq-reason";
    public const string DetailHeader = "ss-dlq-detail";
    public const string TopicHeader = "ss-dlq-original-topic";
    public const string PartitionHeader = "ss-dlq-original-partition";
    public const string OffsetHeader = "ss-dlq-original-offset";
    public const string TimeHeader = "ss-dlq-time";
    public const string WorkerHeader = "ss-dlq-worker";

    /// <summary>Present when card numbers in the payload, key or detail were masked (issue 18): the value is not byte-for-byte the original.</summary>
    public const string MaskedHeader = "ss-dlq-masked";

    /// <summary>Publishes all of them and waits for every acknowledgement (acks=all) before returning.</summary>
    public async Task PublishAsync(IReadOnlyList<DeadLetter> letters, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        var now = time.GetUtcNow();
        await Task.WhenAll(letters.Select(letter => producer.ProduceAsync(Topics.DeadLetters, Build(letter, worker, now), cancellationToken)));
    }

    /// <summary>The dead letter as it goes to <c>fraud-detection-dlq</c>: the original key and value, its headers, and why.</summary>
    public static Message<byte[]?, byte[]?> Build(DeadLetter letter, string worker, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var original = letter.Original;
        var headers = new Headers();
        foreach (var header in original.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        // A dead letter is kept for people to read: a card number in it (where a token belonged) is masked, never kept.
        var value = original.Message.Value is { } payload ? CardNumbers.MaskPayload(payload) : null;
        var key = original.Message.Key is { } originalKey ? CardNumbers.MaskPayload(originalKey) : null;
        var detail = CardNumbers.Mask(letter.Detail);
        if (value is not null || key is not null || !ReferenceEquals(detail, letter.Detail))
        {
            Add(headers, MaskedHeader, "card_number");
        }

        Add(headers, ReasonHeader, letter.Reason);
        // Kafka headers are small by convention; the detail names the field, so a few hundred bytes are plenty.
        Add(headers, DetailHeader, detail.Length <= 512 ? detail : detail[..512]);
        Add(headers, TopicHeader, original.Topic);
        Add(headers, PartitionHeader, original.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, OffsetHeader, original.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, TimeHeader, now.ToString("O", CultureInfo.InvariantCulture));
        Add(headers, WorkerHeader, worker);
        return new Message<byte[]?, byte[]?> { Key = key ?? original.Message.Key, Value = value ?? original.Message.Value, Headers = headers };
    }

    private static void Add(Headers headers, string key, string value) => headers.Add(key, Encoding.UTF8.GetBytes(value));
}
