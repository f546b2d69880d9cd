using System.ComponentModel.DataAnnotations;
using StreamSentinel.Domain.Detection.State;

namespace StreamSentinel.Redis.UserState;

/// <summary>What per-user detection state holds and where Redis keeps its changelog (section <c>UserState</c>).</summary>
public sealed class UserStateOptions
{
    public const string SectionName = "UserState";

    /// <summary>
    /// Prefix of every key, so that several pipelines (or a benchmark) can share one Redis. No braces: the partition's
    /// hash tag follows it, and a brace here would move the tag.
    /// </summary>
    [Required]
    [RegularExpression("^[^{}]*$", ErrorMessage = "UserState:KeyPrefix must not contain braces (the keys' Redis Cluster hash tag follows it).")]
    public string KeyPrefix { get; set; } = "ss:";

    /// <summary>How many of the user's most recent merchants count as "known".</summary>
    [Range(1, 100_000)]
    public int MerchantsKept { get; set; } = 200;

    /// <summary>Devices kept per user (the least recently used leaves first).</summary>
    [Range(1, 10_000)]
    public int DevicesKept { get; set; } = 32;

    [Range(1, 1_000)]
    public int CountriesKept { get; set; } = 32;

    [Range(1, 10_000)]
    public int CategoriesKept { get; set; } = 64;

    /// <summary>The user's latest event ids kept to recognise the same payment sent twice (a client's retry).</summary>
    [Range(1, 10_000)]
    public int RecentEventsKept { get; set; } = 64;

    /// <summary>
    /// Only payments from a device the user first used at least this long ago move the user's last known position
    /// (the start of the next travel-speed measurement), so that a fraudster's burst does not.
    /// </summary>
    [Range(0, 24 * 365)]
    public int DeviceTrustHours { get; set; } = 24;

    public UserStateLimits Limits() => new()
    {
        MerchantsKept = MerchantsKept,
        DevicesKept = DevicesKept,
        CountriesKept = CountriesKept,
        CategoriesKept = CategoriesKept,
        RecentEventsKept = RecentEventsKept,
        DeviceTrust = TimeSpan.FromHours(DeviceTrustHours),
    };
}
