using System.Globalization;

namespace StreamSentinel.Domain.Detection;

/// <summary>
/// What the user's state held just before one transaction, as the state store returns it (and keeps, so that a
/// transaction delivered again gets exactly the same snapshot and therefore the same result).
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

    /// <summary>
    /// The state had seen this transaction before: it is being delivered again (after a crash or a rebalance), and
    /// its result may already be on the results topic. The snapshot is the one it had then.
    /// </summary>
    public bool Redelivered { get; init; }

    /// <summary>The state store's wire form: comma-separated fields in the order of the Lua script's snapshot.</summary>
    public static UserStateSnapshot Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redelivered = text.StartsWith('=');
        var f = (redelivered ? text[1..] : text).Split(',');
        if (f.Length != 17)
        {
            throw new FormatException($"A user-state snapshot has 17 fields, this one {f.Length}: '{text}'.");
        }

        return new UserStateSnapshot
        {
            Count1m = Int(f[0]),
            Count1h = Int(f[1]),
            Count24h = Int(f[2]),
            Sum1h = Double(f[3]),
            Sum24h = Double(f[4]),
            History = Int(f[5]),
            AmountMean = Double(f[6]),
            AmountM2 = Double(f[7]),
            LastEventMs = f[8] == "-1" ? null : (long)Double(f[8]),
            LastLatitude = Double(f[9]),
            LastLongitude = Double(f[10]),
            DeviceCount = Int(f[11]),
            DeviceFirstSeenMs = f[12] == "-1" ? null : (long)Double(f[12]),
            CountryCount = Int(f[13]),
            CategoryCount = Int(f[14]),
            HourCount = Int(f[15]),
            MerchantKnown = f[16] == "1",
            Redelivered = redelivered,
        };
    }

    // Lua formats whole numbers as "3" or "3.0" depending on the path they took; read both.
    private static int Int(string value) => (int)Double(value);

    private static double Double(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
