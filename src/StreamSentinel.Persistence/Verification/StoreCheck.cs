namespace StreamSentinel.Persistence.Verification;

/// <summary>One line of the integrity report: what one store (or view) should hold against what it holds.</summary>
public sealed record StoreCheck(string Store, long Expected, long Found, long Lost, long Duplicated, long Misrouted, string? Note = null)
{
    public bool Passed => Lost == 0 && Duplicated == 0 && Misrouted == 0;
}
