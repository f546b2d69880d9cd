namespace StreamSentinel.Domain.Persistence;

/// <summary>What one batch holds of one partition: its offsets and the event times of its transactions.</summary>
public sealed record PartitionSpan(string Topic, int Partition, long FirstOffset, long LastOffset, DateTimeOffset MinEventTime, DateTimeOffset MaxEventTime)
{
    /// <summary>One span per partition present in <paramref name="results"/>.</summary>
    public static IReadOnlyList<PartitionSpan> Of(IEnumerable<PersistableResult> results) =>
        [.. results
            .GroupBy(r => (r.Source.Topic, r.Source.Partition))
            .Select(g => new PartitionSpan(
                g.Key.Topic,
                g.Key.Partition,
                g.Min(r => r.Source.Offset),
                g.Max(r => r.Source.Offset),
                g.Min(r => r.Transaction.EventTime),
                g.Max(r => r.Transaction.EventTime)))];

    public bool Contains(long offset) => offset >= FirstOffset && offset <= LastOffset;
}
