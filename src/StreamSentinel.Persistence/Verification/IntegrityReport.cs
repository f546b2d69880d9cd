namespace StreamSentinel.Persistence.Verification;

/// <summary>What <c>verify</c> found: Kafka's committed results against every store, view and the dead-letter topic.</summary>
public sealed record IntegrityReport(long Messages, long Valid, long Poison, long Uncommitted, bool KafkaTruncated, IReadOnlyList<StoreCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
}
