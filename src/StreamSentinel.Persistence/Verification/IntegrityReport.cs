namespace StreamSentinel.Persistence.Verification;

/// <summary>What <c>verify</c> found: Kafka's committed results against every store, view and the dead-letter topic.</summary>
/// <remarks><see cref="Valid"/> counts distinct events: a result that repeats an earlier one's event is in <see cref="Repeats"/>.</remarks>
public sealed record IntegrityReport(long Messages, long Valid, long Poison, long Uncommitted, bool KafkaTruncated, IReadOnlyList<StoreCheck> Checks)
{
    /// <summary>Results that repeat an earlier result's event (detection published them again): expected in no store.</summary>
    public long Repeats { get; init; }

    /// <summary>Nothing lost, duplicated or misrouted, and something to check: a group that committed nothing proves nothing.</summary>
    public bool Passed => Messages > 0 && Checks.All(c => c.Passed);
}
