using Confluent.Kafka;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Kafka.DeadLetters;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// A batch between consumption and commit. It remembers how far its writes got, so that a retry after a failure
/// (or after a pause for a database outage) redoes only what is not yet stored.
/// </summary>
public sealed class PendingBatch(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages) : IHeldBatch
{
    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Messages { get; } = messages;

    public List<PersistableResult> Results { get; } = [];

    public List<DeadLetter> DeadLetters { get; } = [];

    public int PostgresRows => Results.Count(r => r.IsAlert);

    /// <summary>True once PostgreSQL has committed the batch's alerts and spans.</summary>
    public bool PostgresWritten { get; set; }

    /// <summary>Tables that hold the whole batch (after recovery checks, skipped rows count as held).</summary>
    public HashSet<ResultTable> TablesWritten { get; } = [];

    /// <summary>Per table, the results it already holds and must not be given again (sets by reference: see <see cref="StoredSet"/>).</summary>
    public Dictionary<ResultTable, HashSet<PersistableResult>> AlreadyStored { get; } = [];

    /// <summary>
    /// Results whose event is already stored from an earlier message (detection published it twice): they go to no
    /// ClickHouse table. Found once per batch, before its first ClickHouse insert.
    /// </summary>
    public HashSet<PersistableResult> Repeats { get; } = StoredSet([]);

    public bool RepeatsChecked { get; set; }

    /// <summary>Tables whose last insert failed in a way that may have stored it anyway (a timeout, a lost connection).</summary>
    public HashSet<ResultTable> TablesInDoubt { get; } = [];

    public bool DeadLettersPublished { get; set; }

    public int Attempts { get; set; }

    public long FirstConsumedTimestamp { get; set; }

    /// <summary>When the first attempt to write the batch began: the start of each result's persistence span.</summary>
    public DateTimeOffset WriteStartedAt { get; set; }

    /// <summary>
    /// A set of this batch's results compared by reference: they are the same instances throughout, and record
    /// equality would hash each whole result (transaction, features, explanation) on every lookup.
    /// </summary>
    public static HashSet<PersistableResult> StoredSet(IEnumerable<PersistableResult> results) => new(results, ReferenceEqualityComparer.Instance);

    /// <summary>This batch's messages followed by <paramref name="later"/>'s; neither may have been written.</summary>
    public PendingBatch Append(PendingBatch later)
    {
        ArgumentNullException.ThrowIfNull(later);
        if (WriteStartedAt != default || later.WriteStartedAt != default)
        {
            throw new InvalidOperationException("Only batches whose writes have not started can be merged.");
        }

        var merged = new PendingBatch([.. Messages, .. later.Messages]) { FirstConsumedTimestamp = FirstConsumedTimestamp };
        merged.Results.AddRange(Results);
        merged.Results.AddRange(later.Results);
        merged.DeadLetters.AddRange(DeadLetters);
        merged.DeadLetters.AddRange(later.DeadLetters);
        return merged;
    }

    /// <summary>Drops the messages of partitions this worker no longer owns; their new owner will read them again.</summary>
    public PendingBatch Without(IReadOnlyCollection<TopicPartition> revoked)
    {
        var kept = new PendingBatch([.. Messages.Where(m => !revoked.Contains(m.TopicPartition))]);
        kept.Results.AddRange(Results.Where(r => !revoked.Contains(new TopicPartition(r.Source.Topic, r.Source.Partition))));
        kept.DeadLetters.AddRange(DeadLetters.Where(d => !revoked.Contains(d.Original.TopicPartition)));
        // What was written for the whole batch was written for the part that stays.
        kept.PostgresWritten = PostgresWritten;
        kept.TablesWritten.UnionWith(TablesWritten);
        kept.TablesInDoubt.UnionWith(TablesInDoubt);
        var keptResults = StoredSet(kept.Results);
        foreach (var (table, stored) in AlreadyStored)
        {
            var keptStored = StoredSet([]);
            keptStored.UnionWith(stored.Where(keptResults.Contains));
            kept.AlreadyStored[table] = keptStored;
        }

        kept.Repeats.UnionWith(Repeats.Where(keptResults.Contains));
        kept.RepeatsChecked = RepeatsChecked;
        kept.DeadLettersPublished = DeadLettersPublished;
        kept.Attempts = Attempts;
        kept.WriteStartedAt = WriteStartedAt;
        kept.FirstConsumedTimestamp = FirstConsumedTimestamp;
        return kept;
    }
}
