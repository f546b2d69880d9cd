using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection;

/// <summary>
/// The named business rules. Each reads the features only, says in a sentence why it fired, and carries a weight:
/// the probability-like score it alone gives the payment.
/// </summary>
public sealed class BusinessRules(RuleOptions options)
{
    public const string VelocityBurst = "velocity_burst";
    public const string CardTesting = "card_testing";
    public const string ImpossibleTravel = "impossible_travel";
    public const string AccountTakeover = "account_takeover";
    public const string AmountSpike = "amount_spike";
    public const string UnusualCategoryHour = "unusual_category_hour";

    public static IReadOnlyList<string> Names { get; } = [VelocityBurst, CardTesting, ImpossibleTravel, AccountTakeover, AmountSpike, UnusualCategoryHour];

    /// <summary>The rules that fire, in the order of <see cref="Names"/>.</summary>
    public List<ExplanationItem> Evaluate(Transaction transaction, FraudFeatures f)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(f);
        var hits = new List<ExplanationItem>(2);
        var o = options;
        var habits = f.HistoryCount >= o.MinimumHistory;
        var amount = transaction.ReferenceAmount();
        if (f.TxnCount1m >= o.VelocityPerMinute || f.TxnCount1h >= o.VelocityPerHour)
        {
            hits.Add(Hit(VelocityBurst, 0.7, $"{f.TxnCount1m} payments in the last minute, {f.TxnCount1h} in the last hour"));
        }

        if (amount <= o.CardTestingMaxAmount && f.IsNewMerchant && f.TxnCount1h >= o.CardTestingPerHour)
        {
            hits.Add(Hit(CardTesting, 0.85, $"a {Money(transaction.Amount)} {transaction.Currency} payment at a new merchant, {f.TxnCount1h} payments in the last hour"));
        }

        if (f.TravelSpeedKmh >= o.ImpossibleTravelKmh && f.DistanceFromLastKm >= o.ImpossibleTravelMinimumKm)
        {
            hits.Add(Hit(ImpossibleTravel, 0.9, $"{f.DistanceFromLastKm:F0} km from the previous payment {Duration(f.SecondsSinceLast)} earlier ({f.TravelSpeedKmh:F0} km/h)"));
        }

        if (habits && f.DeviceFrequency <= o.TakeoverMaxDeviceFrequency && f.DeviceAgeSeconds <= o.TakeoverMaxDeviceAgeHours * 3600
            && f.CountryFrequency <= o.TakeoverMaxCountryFrequency && f.AmountZScore >= o.TakeoverMinZScore)
        {
            hits.Add(Hit(AccountTakeover, 0.85, $"a device first seen {Duration(f.DeviceAgeSeconds)} ago, from a country of {f.CountryFrequency:P0} of past payments, amount {f.AmountZScore:F1} standard deviations above usual"));
        }

        if (habits && f.AmountZScore >= o.SpikeMinZScore && (double)amount >= o.SpikeMinRatioToMean * f.AmountMean && f.CategoryFrequency > 0)
        {
            hits.Add(Hit(AmountSpike, 0.75, $"{Money(transaction.Amount)} {transaction.Currency} is {f.AmountZScore:F1} standard deviations above the usual {f.AmountMean:F2} EUR"));
        }

        if (habits && f.CategoryFrequency == 0 && f.HourFrequency <= o.UnusualHourMaxFrequency && o.RiskyCategories.Contains(transaction.MerchantCategory))
        {
            hits.Add(Hit(UnusualCategoryHour, 0.7, $"first payment in risky category {transaction.MerchantCategory}, at {f.HourOfDay:D2}:00 UTC when the user pays in {f.HourFrequency:P0} of cases"));
        }

        return hits;
    }

    /// <summary>The rules' combined score: each hit is independent evidence (noisy-OR), so more hits give a higher score.</summary>
    public static double Score(IReadOnlyList<ExplanationItem> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var none = 1.0;
        foreach (var hit in hits)
        {
            none *= 1 - hit.Weight;
        }

        return 1 - none;
    }

    private static ExplanationItem Hit(string name, double weight, string message) => new("rule", name, message, weight);

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Duration(double seconds) => seconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:F1} h"),
    };
}
