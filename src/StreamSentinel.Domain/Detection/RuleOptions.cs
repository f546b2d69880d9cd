using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Domain.Detection;

/// <summary>Thresholds of the business rules (section <c>Detection:Rules</c>); the defaults fit the simulator's world.</summary>
public sealed class RuleOptions
{
    public const string SectionName = "Detection:Rules";

    /// <summary>Below this much history, rules that compare with the user's habits stay silent.</summary>
    [Range(0, 10_000)]
    public int MinimumHistory { get; set; } = 10;

    [Range(2, 1000)]
    public int VelocityPerMinute { get; set; } = 4;

    [Range(2, 10_000)]
    public int VelocityPerHour { get; set; } = 15;

    /// <summary>In the reference currency (EUR).</summary>
    [Range(0.01, 1000)]
    public decimal CardTestingMaxAmount { get; set; } = 3m;

    [Range(2, 1000)]
    public int CardTestingPerHour { get; set; } = 3;

    /// <summary>Faster than any airliner.</summary>
    [Range(100, 100_000)]
    public double ImpossibleTravelKmh { get; set; } = 1000;

    [Range(0, 20_000)]
    public double ImpossibleTravelMinimumKm { get; set; } = 300;

    [Range(0, 1)]
    public double TakeoverMaxDeviceFrequency { get; set; } = 0.1;

    [Range(0, 24 * 365)]
    public double TakeoverMaxDeviceAgeHours { get; set; } = 24;

    [Range(0, 1)]
    public double TakeoverMaxCountryFrequency { get; set; } = 0.1;

    [Range(0, 1000)]
    public double TakeoverMinZScore { get; set; } = 3;

    [Range(0, 1000)]
    public double SpikeMinZScore { get; set; } = 8;

    /// <summary>
    /// A spike is also this many times the user's mean, in a category the user already pays in: on heavy-tailed
    /// amounts a z-score alone finds big legitimate purchases, and a first flight or hotel is big by nature.
    /// </summary>
    [Range(1, 10_000)]
    public double SpikeMinRatioToMean { get; set; } = 10;

    /// <summary>
    /// Merchant categories where a first payment at an odd hour is suspicious: gambling, money transfer, jewelry,
    /// electronics, cash. Digital goods are left out: people buy an app or a game at any hour.
    /// </summary>
    public IReadOnlyList<string> RiskyCategories { get; set; } = ["7995", "4829", "5944", "5732", "6011"];

    [Range(0, 1)]
    public double UnusualHourMaxFrequency { get; set; } = 0.02;
}
