namespace StreamSentinel.Domain.Detection;

/// <summary>
/// What the user's state held just before one transaction (<see cref="State.UserState.Apply"/>): what the features
/// are computed from.
/// </summary>
/// <remarks>Window counts and sums include the transaction itself; everything else describes only earlier payments.</remarks>
public sealed record UserStateSnapshot
{
    public int Count1m { get; init; }

    public int Count1h { get; init; }

    public int Count24h { get; init; }

    public double Sum1h { get; init; }

    public double Sum24h { get; init; }

    /// <summary>Earlier payments the state has seen.</summary>
    public int History { get; init; }

    public double AmountMean { get; init; }

    /// <summary>Welford's running sum of squared deviations, from which the variance follows.</summary>
    public double AmountM2 { get; init; }

    /// <summary>Unix milliseconds of the latest earlier payment; null when there is none.</summary>
    public long? LastEventMs { get; init; }

    public double LastLatitude { get; init; }

    public double LastLongitude { get; init; }

    public int DeviceCount { get; init; }

    /// <summary>Unix milliseconds when the device was first seen; null for a new device.</summary>
    public long? DeviceFirstSeenMs { get; init; }

    public int CountryCount { get; init; }

    public int CategoryCount { get; init; }

    public int HourCount { get; init; }

    public bool MerchantKnown { get; init; }
}
