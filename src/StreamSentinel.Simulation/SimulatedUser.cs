namespace StreamSentinel.Simulation;

// A cardholder: a fixed profile drawn when the world is built, and the state the run keeps about them.
internal sealed class SimulatedUser
{
    private int _usedCategories;

    public required int Index { get; init; }

    public required string Id { get; init; }

    public required int HomeCity { get; init; }

    public required IReadOnlyList<string> CardIds { get; init; }

    public required IReadOnlyList<string> DeviceIds { get; init; }

    // One address per device (home broadband, phone, laptop), in the same /24.
    public required IReadOnlyList<string> IpAddresses { get; init; }

    public required IReadOnlyList<int> HabitualMerchants { get; init; }

    public required IReadOnlyList<int> HabitualCategories { get; init; }

    // Median of the log-normal amount of a typical payment, in the home currency.
    public required double MedianAmount { get; init; }

    public required double AmountSigma { get; init; }

    // Awake from WakeHour to SleepHour (exclusive), local time; SleepHour may be 24.
    public required int WakeHour { get; init; }

    public required int SleepHour { get; init; }

    public required double Activity { get; init; }

    public int LegitCount { get; set; }

    public long LastLegitMs { get; set; } = -1;

    public double LastLatitude { get; set; }

    public double LastLongitude { get; set; }

    // A trip: in the air until AwayFromMs, paying in TripCity until AwayUntilMs, in the air again until HomeAgainMs.
    public int TripCity { get; set; } = -1;

    public long AwayFromMs { get; set; }

    public long AwayUntilMs { get; set; }

    public long HomeAgainMs { get; set; }

    public string TripIpAddress { get; set; } = "";

    // A fraud episode is planned or running until then; long.MaxValue while an impossible travel waits for its trigger.
    public long BusyUntilMs { get; set; } = long.MinValue;

    public int PendingImpossibleTravel { get; set; }

    public HashSet<int> UsedMerchants { get; } = [];

    // Legit amounts paid in the home currency: the history a detector would compare a spike against.
    public RunningMedian HomeCurrencyAmounts { get; } = new();

    public bool IsAwake(int localHour) => localHour >= WakeHour && localHour < SleepHour;

    public bool InTransit(long nowMs) => TripCity >= 0 && (nowMs < AwayFromMs || (nowMs >= AwayUntilMs && nowMs < HomeAgainMs));

    public bool IsAway(long nowMs) => TripCity >= 0 && nowMs >= AwayFromMs && nowMs < AwayUntilMs;

    public bool IsHome(long nowMs) => TripCity < 0 || nowMs >= HomeAgainMs;

    public int CurrentCity(long nowMs) => IsAway(nowMs) ? TripCity : HomeCity;

    public bool IsFree(long nowMs) => BusyUntilMs < nowMs && IsHome(nowMs);

    public bool HasUsedCategory(int category) => (_usedCategories & (1 << category)) != 0;

    public void UseCategory(int category) => _usedCategories |= 1 << category;

    public bool HasUsedMerchant(int merchant) => UsedMerchants.Contains(merchant) || HabitualMerchants.Contains(merchant);

    // The median of what the user actually paid (falling back on the profile before any payment), so that "n times the
    // median" means n times what a detector sees in the history.
    public double ReferenceMedian() => HomeCurrencyAmounts.Count == 0 ? MedianAmount : HomeCurrencyAmounts.Median();
}
