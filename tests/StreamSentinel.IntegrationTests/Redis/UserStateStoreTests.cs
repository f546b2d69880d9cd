using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.IntegrationTests.Redis;

public sealed class UserStateStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private ConnectionMultiplexer _redis = null!;
    private UserStateStore _store = null!;
    private string _prefix = null!;

    [SetUp]
    public async Task SetUp()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Current.Redis);
        _prefix = $"ss-test-{Guid.NewGuid():N}:";
        _store = new UserStateStore(_redis, Options.Create(new UserStateOptions { KeyPrefix = _prefix, MerchantsKept = 3, DeviceTrustHours = 0 }));
    }

    [TearDown]
    public async Task TearDown()
    {
        var server = _redis.GetServers().Single();
        await foreach (var key in server.KeysAsync(pattern: _prefix + "*"))
        {
            await _redis.GetDatabase().KeyDeleteAsync(key);
        }

        await _redis.DisposeAsync();
    }

    [Test]
    public async Task Windows_history_and_habits_describe_the_state_before_each_transaction()
    {
        var t1 = Payment("u1", 1, Start, 10m, "FR", "d1", "m1");
        var t2 = Payment("u1", 2, Start.AddSeconds(30), 30m, "FR", "d1", "m2");
        var t3 = Payment("u1", 3, Start.AddMinutes(30), 50m, "DE", "d2", "m1");
        var other = Payment("u2", 4, Start.AddSeconds(10), 99m, "FR", "d1", "m1");

        var s = await _store.ApplyAsync([t1, t2, other, t3], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(s[0], Is.EqualTo(new UserStateSnapshot { Count1m = 1, Count1h = 1, Count24h = 1, Sum1h = 10, Sum24h = 10 }), "a first payment has no history");
            Assert.That((s[1].Count1m, s[1].Count1h, s[1].Sum1h, s[1].History), Is.EqualTo((2, 2, 40.0, 1)));
            Assert.That((s[1].AmountMean, s[1].LastEventMs, s[1].DeviceCount, s[1].CountryCount, s[1].MerchantKnown), Is.EqualTo((10.0, t1.EventTime.ToUnixTimeMilliseconds(), 1, 1, false)));
            Assert.That((s[2].History, s[2].Count24h), Is.EqualTo((0, 1)), "another user's state is separate");
            Assert.That((s[3].Count1m, s[3].Count1h, s[3].Count24h, s[3].Sum24h, s[3].History), Is.EqualTo((1, 3, 3, 90.0, 2)));
            Assert.That(s[3].AmountMean, Is.EqualTo(20.0).Within(1e-9));
            Assert.That(s[3].AmountM2, Is.EqualTo(200.0).Within(1e-9), "Welford: (10-20)^2 + (30-20)^2");
            Assert.That((s[3].DeviceCount, s[3].DeviceFirstSeenMs, s[3].CountryCount, s[3].MerchantKnown), Is.EqualTo((0, (long?)null, 0, true)));
            Assert.That((s[3].LastLatitude, s[3].LastLongitude), Is.EqualTo((t2.Latitude, t2.Longitude)));
        }
    }

    [Test]
    public async Task A_redelivered_transaction_gets_the_same_snapshot_and_is_not_counted_twice()
    {
        var first = Enumerable.Range(0, 5).Select(i => Payment("u1", i, Start.AddMinutes(i), 10m + i, "FR", "d1", "m1")).ToList();
        var original = await _store.ApplyAsync(first, CancellationToken.None);

        var replayed = await _store.ApplyAsync([first[3], first[4], first[3]], CancellationToken.None);
        var next = await _store.ApplyAsync([Payment("u1", 9, Start.AddMinutes(6), 10m, "FR", "d1", "m1")], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(replayed.Select(r => r with { Redelivered = false }), Is.EqualTo(new[] { original[3], original[4], original[3] }));
            Assert.That(replayed.Select(r => r.Redelivered), Is.All.True);
            Assert.That(original.Select(r => r.Redelivered), Is.All.False);
            Assert.That(next[0].History, Is.EqualTo(5), "five distinct payments, whatever was delivered again");
            Assert.That(next[0].DeviceCount, Is.EqualTo(5));
            Assert.That(next[0].Count1h, Is.EqualTo(6));
        }
    }

    [Test]
    public async Task Old_payments_leave_the_windows_and_only_recent_merchants_stay_known()
    {
        var merchants = new[] { "m1", "m2", "m3", "m4" };
        var early = merchants.Select((m, i) => Payment("u1", i, Start.AddMinutes(i), 5m, "FR", "d1", m)).ToList();
        await _store.ApplyAsync(early, CancellationToken.None);

        var s = await _store.ApplyAsync(
            [Payment("u1", 10, Start.AddHours(23), 7m, "FR", "d1", "m1"), Payment("u1", 11, Start.AddHours(30), 7m, "FR", "d1", "m4")],
            CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((s[0].Count1h, s[0].Count24h, s[0].MerchantKnown), Is.EqualTo((1, 5, false)), "m1 was pushed out by three later merchants (3 kept)");
            Assert.That((s[1].Count24h, s[1].History), Is.EqualTo((2, 5)), "payments older than 24 h leave the window but stay in the history");
            Assert.That(s[1].MerchantKnown, Is.True);
            Assert.That(s[1].DeviceFirstSeenMs, Is.EqualTo(Start.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task Only_a_device_known_for_a_day_moves_the_last_position()
    {
        var store = new UserStateStore(_redis, Options.Create(new UserStateOptions { KeyPrefix = _prefix + "trust:", DeviceTrustHours = 24 }));
        var home = Payment("u1", 1, Start, 20m, "FR", "d1", "m1");
        var homeLater = Payment("u1", 2, Start.AddDays(2), 20m, "FR", "d1", "m1") with { Latitude = 45.0 };
        var stolen1 = Payment("u1", 3, Start.AddDays(2).AddMinutes(10), 200m, "BR", "x1", "m9") with { Latitude = -23.5, Longitude = -46.6 };
        var stolen2 = stolen1 with { TransactionId = "t-u1-4", EventTime = stolen1.EventTime.AddMinutes(1) };
        var next = Payment("u1", 5, Start.AddDays(2).AddMinutes(30), 20m, "FR", "d1", "m1");

        var s = await store.ApplyAsync([home, homeLater, stolen1, stolen2.WithEventId(), next], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(s[1].LastLatitude, Is.EqualTo(home.Latitude), "the very first payment sets the position");
            Assert.That(s[2].LastLatitude, Is.EqualTo(45.0), "d1, first used two days earlier, is trusted");
            Assert.That(s[4].LastLatitude, Is.EqualTo(45.0), "the new device's payments abroad did not move the position");
            Assert.That(s[4].LastEventMs, Is.EqualTo(homeLater.EventTime.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task Keys_of_one_user_share_a_cluster_hash_slot()
    {
        var keys = UserStateKeys.For(_prefix, "user-42");

        Assert.That(keys.Select(k => _redis.HashSlot(k)).Distinct().Count(), Is.EqualTo(1));
    }

    private static Transaction Payment(string user, int n, DateTimeOffset at, decimal amount, string country, string device, string merchant) =>
        new Transaction
        {
            TransactionId = $"t-{user}-{n}",
            UserId = user,
            CardId = "c1",
            MerchantId = merchant,
            MerchantCategory = "5411",
            Amount = amount,
            Currency = "EUR",
            EventTime = at,
            Latitude = 48.85 + (n * 0.01),
            Longitude = 2.35,
            Country = country,
            DeviceId = device,
            IpAddress = "10.0.0.1",
            Channel = Channel.PointOfSale,
        }.WithEventId();
}
