using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Simulation.Synthetic;

/// <summary>
/// Valid, realistic-looking detection results from a seed (same seed, same results), for exercising and
/// benchmarking the persistence fleet before, or without, the detection worker.
/// </summary>
/// <param name="seed">Same seed, same sequence.</param>
/// <param name="alertShare">Share of results at MEDIUM or above, in 0..1.</param>
/// <param name="start">Event time of the first transaction; later ones follow at a steady pace.</param>
public sealed class SyntheticResults(int seed, double alertShare, DateTimeOffset start)
{
    private static readonly string[] Categories = ["5411", "5812", "5999", "4111", "5732", "7995", "6011", "4829", "5311", "5541", "7011", "4511"];
    private static readonly string[] Countries = ["FR", "DE", "ES", "IT", "NL", "GB", "US", "PL", "SE", "PT"];
    private static readonly string[] Rules = ["velocity_burst", "card_testing", "impossible_travel", "new_device", "amount_spike", "unusual_category_hour"];

    private readonly Random _random = new(seed);
    private long _index;

    public DetectionResult Next()
    {
        var i = _index++;
        var userCount = 5000;
        var user = _random.Next(userCount);
        var isAlert = _random.NextDouble() < alertShare;
        var severity = isAlert
            ? Pick([(Severity.Medium, 0.6), (Severity.High, 0.3), (Severity.Critical, 0.1)])
            : Pick([(Severity.Minimal, 0.7), (Severity.Low, 0.3)]);
        var (low, high) = severity switch
        {
            Severity.Minimal => (0.0, 0.2),
            Severity.Low => (0.2, 0.4),
            Severity.Medium => (0.4, 0.7),
            Severity.High => (0.7, 0.9),
            _ => (0.9, 1.0),
        };
        var score = Math.Round(low + (_random.NextDouble() * (high - low)), 4);
        var eventTime = start.AddMilliseconds(i * 5);
        var country = Countries[user % Countries.Length];
        var transaction = new Transaction
        {
            TransactionId = string.Create(CultureInfo.InvariantCulture, $"txn-{seed}-{i}"),
            UserId = string.Create(CultureInfo.InvariantCulture, $"user-{user}"),
            CardId = string.Create(CultureInfo.InvariantCulture, $"card-{user}-{user % 3}"),
            MerchantId = string.Create(CultureInfo.InvariantCulture, $"merchant-{_random.Next(2000)}"),
            MerchantCategory = Categories[_random.Next(Categories.Length)],
            Amount = Math.Round((decimal)(Math.Exp(_random.NextDouble() * 6) + 1), 2),
            Currency = "EUR",
            EventTime = eventTime,
            Latitude = Math.Round(35 + (_random.NextDouble() * 25), 4),
            Longitude = Math.Round(-10 + (_random.NextDouble() * 35), 4),
            Country = country,
            DeviceId = string.Create(CultureInfo.InvariantCulture, $"device-{user}-{_random.Next(2)}"),
            IpAddress = string.Create(CultureInfo.InvariantCulture, $"203.0.{user % 256}.{_random.Next(256)}"),
            Channel = (Channel)(_random.Next(4) + 1),
        }.WithEventId();
        var fired = isAlert ? Rules.Where(_ => _random.NextDouble() < 0.35).DefaultIfEmpty(Rules[_random.Next(Rules.Length)]).ToArray() : [];
        return new DetectionResult
        {
            EventId = transaction.EventId,
            TransactionId = transaction.TransactionId,
            UserId = transaction.UserId,
            FraudScore = score,
            Severity = severity,
            BusinessRulesTriggered = fired,
            Explanation = new DetectionExplanation
            {
                Summary = fired.Length == 0 ? "Nothing unusual" : $"Fired: {string.Join(", ", fired)}",
                ModelScore = score,
                RuleScore = fired.Length / (double)Rules.Length,
                Items = [.. fired.Select(rule => new ExplanationItem("rule", rule, $"{rule} fired", 0.2))],
            },
            Features = new FraudFeatures
            {
                TxnCount1m = _random.Next(isAlert ? 8 : 2),
                TxnCount1h = _random.Next(20),
                TxnCount24h = _random.Next(60),
                AmountSum1h = Math.Round((decimal)(_random.NextDouble() * 500), 2),
                AmountSum24h = Math.Round((decimal)(_random.NextDouble() * 2000), 2),
                AmountMean = 40 + (_random.NextDouble() * 30),
                AmountStdDev = 10 + (_random.NextDouble() * 20),
                AmountZScore = (_random.NextDouble() * 6) - 1,
                DistanceFromLastKm = _random.NextDouble() * (isAlert ? 3000 : 50),
                TravelSpeedKmh = _random.NextDouble() * (isAlert ? 2000 : 80),
                SecondsSinceLast = _random.NextDouble() * 86400,
                IsNewDevice = isAlert && _random.NextDouble() < 0.4,
                IsNewMerchant = _random.NextDouble() < 0.2,
                IsNewCountry = isAlert && _random.NextDouble() < 0.2,
                HourOfDay = eventTime.UtcDateTime.Hour,
            },
            ModelName = "synthetic",
            ModelVersion = "0.0.0",
            DetectionLatencyMs = Math.Round(0.5 + (_random.NextDouble() * 4), 3),
            DetectedAt = eventTime.AddMilliseconds(3),
            CorrelationId = string.Create(CultureInfo.InvariantCulture, $"corr-{seed}-{i}"),
            Transaction = transaction,
        };
    }

    private T Pick<T>((T Value, double Weight)[] choices)
    {
        var roll = _random.NextDouble();
        foreach (var (value, weight) in choices)
        {
            roll -= weight;
            if (roll < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }
}
