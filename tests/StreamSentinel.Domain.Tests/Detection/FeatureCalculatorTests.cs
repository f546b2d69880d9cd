using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Domain.Tests.Detection;

public sealed class FeatureCalculatorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 14, 30, 0, TimeSpan.Zero);

    [Test]
    public void A_first_payment_has_no_history_and_everything_is_new()
    {
        var f = FeatureCalculator.Compute(Payment(100m, 48.8566, 2.3522), new UserStateSnapshot { Count1m = 1, Count1h = 1, Count24h = 1, Sum1h = 100, Sum24h = 100 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((f.HistoryCount, f.AmountZScore, f.DistanceFromLastKm, f.TravelSpeedKmh), Is.EqualTo((0, 0.0, 0.0, 0.0)));
            Assert.That((f.IsNewDevice, f.IsNewCountry, f.IsNewMerchant), Is.EqualTo((true, true, true)));
            Assert.That((f.DeviceFrequency, f.CountryFrequency, f.CategoryFrequency, f.HourFrequency), Is.EqualTo((0.0, 0.0, 0.0, 0.0)));
            Assert.That(f.HourOfDay, Is.EqualTo(14));
            Assert.That(f.AmountSum24h, Is.EqualTo(100m));
        }
    }

    [Test]
    public void Paris_to_New_York_in_an_hour_is_a_speed_no_plane_reaches()
    {
        var state = History() with { LastEventMs = At.AddHours(-1).ToUnixTimeMilliseconds(), LastLatitude = 48.8566, LastLongitude = 2.3522 };

        var f = FeatureCalculator.Compute(Payment(50m, 40.7128, -74.0060), state);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.DistanceFromLastKm, Is.EqualTo(5837).Within(15), "great-circle Paris-New York");
            Assert.That(f.SecondsSinceLast, Is.EqualTo(3600));
            Assert.That(f.TravelSpeedKmh, Is.EqualTo(f.DistanceFromLastKm).Within(0.01));
        }
    }

    [Test]
    public void Payments_seconds_apart_in_one_town_do_not_look_like_travel()
    {
        var state = History() with { LastEventMs = At.AddSeconds(-5).ToUnixTimeMilliseconds(), LastLatitude = 48.8566, LastLongitude = 2.3522 };

        var f = FeatureCalculator.Compute(Payment(50m, 48.8606, 2.3376), state);

        Assert.That(f.TravelSpeedKmh, Is.LessThan(100), "elapsed time is floored at one minute");
    }

    [Test]
    public void Amount_and_habits_are_measured_against_the_history()
    {
        // 20 payments with mean 40 and variance 100 (M2 = 100 * 19).
        var state = History() with { DeviceCount = 15, DeviceFirstSeenMs = At.AddDays(-10).ToUnixTimeMilliseconds(), CountryCount = 20, CategoryCount = 5, HourCount = 1 };

        var f = FeatureCalculator.Compute(Payment(540m, 48.8566, 2.3522), state);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(f.AmountStdDev, Is.EqualTo(10).Within(1e-9));
            Assert.That(f.AmountZScore, Is.EqualTo(50).Within(1e-9));
            Assert.That((f.DeviceFrequency, f.CountryFrequency, f.CategoryFrequency, f.HourFrequency), Is.EqualTo((0.75, 1.0, 0.25, 0.05)));
            Assert.That(f.DeviceAgeSeconds, Is.EqualTo(TimeSpan.FromDays(10).TotalSeconds));
            Assert.That((f.IsNewDevice, f.IsNewCountry, f.IsNewMerchant), Is.EqualTo((false, false, false)));
        }
    }

    [Test]
    public void Computed_features_pass_the_contract_validation_of_a_result()
    {
        var transaction = Payment(12.5m, 10, 10);
        var result = new DetectionResult
        {
            EventId = transaction.EventId,
            TransactionId = transaction.TransactionId,
            UserId = transaction.UserId,
            Severity = Severity.Low,
            ModelName = "m",
            ModelVersion = "1",
            CorrelationId = transaction.EventId,
            Features = FeatureCalculator.Compute(transaction, History()),
            Transaction = transaction,
            DetectedAt = At,
        };

        Assert.That(ContractValidation.Validate(result), Is.Null);
    }

    private static UserStateSnapshot History() => new()
    {
        Count1m = 1, Count1h = 2, Count24h = 5, Sum1h = 80, Sum24h = 200, History = 20, AmountMean = 40, AmountM2 = 1900,
        LastEventMs = At.AddHours(-3).ToUnixTimeMilliseconds(), LastLatitude = 48.8566, LastLongitude = 2.3522,
        DeviceCount = 20, DeviceFirstSeenMs = At.AddDays(-30).ToUnixTimeMilliseconds(), CountryCount = 20, CategoryCount = 10, HourCount = 2, MerchantKnown = true,
    };

    internal static Transaction Payment(decimal amount, double latitude, double longitude, string category = "5411") => new Transaction
    {
        TransactionId = "t-1",
        UserId = "u-1",
        CardId = "c-1",
        MerchantId = "m-1",
        MerchantCategory = category,
        Amount = amount,
        Currency = "EUR",
        EventTime = At,
        Latitude = latitude,
        Longitude = longitude,
        Country = "FR",
        DeviceId = "d-1",
        IpAddress = "10.0.0.1",
        Channel = Channel.PointOfSale,
    }.WithEventId();
}
