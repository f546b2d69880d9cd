namespace StreamSentinel.Persistence.Verification;

/// <summary>One line of the integrity report: what one store (or view) should hold against what it holds.</summary>
public sealed record StoreCheck(string Store, long Expected, long Found, long Lost, long Duplicated, long Misrouted, string? Note = null)
{
    /// <summary>Rows (or alerts) that no message in Kafka accounts for: written by something other than the fleet, or left behind.</summary>
    public long Unknown { get; init; }

    public bool Passed => Lost == 0 && Duplicated == 0 && Misrouted == 0 && Unknown == 0;
}
