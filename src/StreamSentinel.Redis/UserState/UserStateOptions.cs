using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Redis.UserState;

/// <summary>How per-user detection state is kept in Redis (section <c>UserState</c>).</summary>
public sealed class UserStateOptions
{
    public const string SectionName = "UserState";

    /// <summary>Prefix of every key, so that several pipelines (or an evaluation run) can share one Redis.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "ss:";

    /// <summary>A user's state is forgotten after this long without a payment.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>How many of the user's most recent merchants count as "known".</summary>
    [Range(1, 100_000)]
    public int MerchantsKept { get; set; } = 200;

    /// <summary>
    /// How long a transaction is remembered for recognising its redelivery, in event time behind the user's newest
    /// payment. Longer than the largest window (24 h), so that every window is exact.
    /// </summary>
    [Range(25, 24 * 365)]
    public int RedeliveryHorizonHours { get; set; } = 25;

    /// <summary>
    /// Only payments from a device the user first used at least this long ago move the user's last known position
    /// (the start of the next travel-speed measurement), so that a fraudster's burst does not.
    /// </summary>
    [Range(0, 24 * 365)]
    public int DeviceTrustHours { get; set; } = 24;
}
