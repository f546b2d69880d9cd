using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection;

/// <summary>Turns a transaction and the user's state before it into the features the rules and the model see.</summary>
public static class FeatureCalculator
{
    // Two payments a few seconds apart in neighbouring streets would otherwise "travel" at thousands of km/h.
    private static readonly TimeSpan MinimumTravelTime = TimeSpan.FromMinutes(1);

    // With a handful of identical amounts the deviation is 0 and any change would be "infinitely" unusual.
    private const double MinimumStdDev = 1.0;

    public static FraudFeatures Compute(Transaction transaction, UserStateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(state);
        var amount = (double)transaction.ReferenceAmount();
        var stdDev = state.History >= 2 ? Math.Sqrt(Math.Max(0, state.AmountM2 / (state.History - 1))) : 0;
        var zScore = state.History >= 2 ? (amount - state.AmountMean) / Math.Max(stdDev, MinimumStdDev) : 0;
        double distance = 0, seconds = 0, speed = 0;
        var eventMs = transaction.EventTime.ToUnixTimeMilliseconds();
        if (state.LastEventMs is { } lastMs)
        {
            distance = Geo.DistanceKm(state.LastLatitude, state.LastLongitude, transaction.Latitude, transaction.Longitude);
            seconds = Math.Max(0, (eventMs - lastMs) / 1000.0);
            speed = distance / Math.Max(seconds, MinimumTravelTime.TotalSeconds) * 3600;
        }

        double Share(int count) => state.History > 0 ? Math.Min(1, (double)count / state.History) : 0;
        return new FraudFeatures
        {
            TxnCount1m = state.Count1m,
            TxnCount1h = state.Count1h,
            TxnCount24h = state.Count24h,
            AmountSum1h = Money(state.Sum1h),
            AmountSum24h = Money(state.Sum24h),
            AmountMean = Math.Round(state.AmountMean, 4),
            AmountStdDev = Math.Round(stdDev, 4),
            AmountZScore = Math.Round(zScore, 4),
            DistanceFromLastKm = Math.Round(distance, 3),
            TravelSpeedKmh = Math.Round(speed, 3),
            SecondsSinceLast = Math.Round(seconds, 3),
            IsNewDevice = state.DeviceCount == 0,
            IsNewMerchant = !state.MerchantKnown,
            IsNewCountry = state.CountryCount == 0,
            HourOfDay = transaction.EventTime.UtcDateTime.Hour,
            HistoryCount = state.History,
            DeviceFrequency = Math.Round(Share(state.DeviceCount), 6),
            DeviceAgeSeconds = state.DeviceFirstSeenMs is { } firstMs ? Math.Max(0, (eventMs - firstMs) / 1000.0) : 0,
            CountryFrequency = Math.Round(Share(state.CountryCount), 6),
            CategoryFrequency = Math.Round(Share(state.CategoryCount), 6),
            HourFrequency = Math.Round(Share(state.HourCount), 6),
        };
    }

    // The state adds amounts as doubles; the stores keep four decimals.
    private static decimal Money(double value) => Math.Round((decimal)Math.Max(0, value), 4);
}
