namespace StreamSentinel.Domain.Detection.State;

/// <summary>How much one user's state may hold: every set is bounded, so no user's state grows without limit.</summary>
public sealed record UserStateLimits
{
    /// <summary>How many of the user's most recent merchants count as "known".</summary>
    public int MerchantsKept { get; init; } = 200;

    public int DevicesKept { get; init; } = 32;

    public int CountriesKept { get; init; } = 32;

    public int CategoriesKept { get; init; } = 64;

    /// <summary>
    /// Event ids of the user's latest payments, to recognise the same payment sent twice (a client retrying a
    /// request): it is not counted again.
    /// </summary>
    public int RecentEventsKept { get; init; } = 64;

    /// <summary>
    /// Only payments from a device the user first used at least this long ago move the user's last known position
    /// (the start of the next travel-speed measurement), so that a fraudster's burst does not.
    /// </summary>
    public TimeSpan DeviceTrust { get; init; } = TimeSpan.FromHours(24);
}
