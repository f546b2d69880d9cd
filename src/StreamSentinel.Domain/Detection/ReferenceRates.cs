using System.Collections.Frozen;

namespace StreamSentinel.Domain.Detection;

/// <summary>
/// Amounts compared across a user's history must be in one currency: 10,000 JPY on a trip to Tokyo is a lunch, not a
/// spike. Features use euros at these reference rates (approximate, late 2026); precision to a few per cent is
/// plenty for z-scores and thresholds. A currency not listed is taken at par, which only blunts its amount features.
/// </summary>
public static class ReferenceRates
{
    public const string ReferenceCurrency = "EUR";

    private static readonly FrozenDictionary<string, decimal> EurPerUnit = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        ["EUR"] = 1m, ["USD"] = 0.92m, ["GBP"] = 1.17m, ["CHF"] = 1.05m, ["JPY"] = 0.0061m, ["PLN"] = 0.23m,
        ["SEK"] = 0.088m, ["NOK"] = 0.086m, ["DKK"] = 0.134m, ["CZK"] = 0.040m, ["HUF"] = 0.0025m, ["RON"] = 0.20m,
        ["AUD"] = 0.60m, ["CAD"] = 0.67m, ["NZD"] = 0.55m, ["SGD"] = 0.69m, ["HKD"] = 0.118m, ["CNY"] = 0.128m,
        ["INR"] = 0.011m, ["AED"] = 0.25m, ["SAR"] = 0.245m, ["BRL"] = 0.17m, ["MXN"] = 0.050m, ["ZAR"] = 0.050m,
        ["NGN"] = 0.00060m, ["TRY"] = 0.026m, ["KRW"] = 0.00066m,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The transaction's amount in <see cref="ReferenceCurrency"/>.</summary>
    public static decimal ReferenceAmount(this Contracts.Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return ToReference(transaction.Amount, transaction.Currency);
    }

    public static decimal ToReference(decimal amount, string currency) =>
        EurPerUnit.TryGetValue(currency, out var rate) ? Math.Round(amount * rate, 4) : amount;
}
