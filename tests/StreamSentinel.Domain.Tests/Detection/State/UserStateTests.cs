using System.Buffers;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Detection.State;

namespace StreamSentinel.Domain.Tests.Detection.State;

public sealed class UserStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly UserStateLimits NoTrust = new() { MerchantsKept = 3, DeviceTrust = TimeSpan.Zero };

    [Test]
    public void Windows_history_and_habits_describe_the_state_before_each_transaction()
    {
        var table = new UserStateTable(NoTrust);
        var t1 = Payment("u1", 1, Start, 10m, "FR", "d1", "m1");
        var t2 = Payment("u1", 2, Start.AddSeconds(30), 30m, "FR", "d1", "m2");
        var other = Payment("u2", 4, Start.AddSeconds(10), 99m, "FR", "d1", "m1");
        var t3 = Payment("u1", 3, Start.AddMinutes(30), 50m, "DE", "d2", "m1");

        var s = new[] { t1, t2, other, t3 }.Select(t => table.Apply(t)!).ToArray();

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
            Assert.That(table.Users, Is.EqualTo(2));
        }
    }

    [Test]
    public void The_same_payment_sent_twice_is_applied_once()
    {
        var table = new UserStateTable(NoTrust);
        var first = Enumerable.Range(0, 5).Select(i => Payment("u1", i, Start.AddMinutes(i), 10m + i, "FR", "d1", "m1")).ToList();
        foreach (var t in first)
        {
            Assert.That(table.Apply(t), Is.Not.Null);
        }

        var repeats = new[] { first[3], first[4], first[0] }.Select(table.Apply).ToList();
        var next = table.Apply(Payment("u1", 9, Start.AddMinutes(6), 10m, "FR", "d1", "m1"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(repeats, Is.All.Null);
            Assert.That(next.History, Is.EqualTo(5), "five distinct payments, whatever was sent again");
            Assert.That(next.DeviceCount, Is.EqualTo(5));
            Assert.That(next.Count1h, Is.EqualTo(6));
        }
    }

    [Test]
    public void Old_payments_leave_the_windows_and_only_recent_merchants_stay_known()
    {
        var table = new UserStateTable(NoTrust);
        foreach (var (m, i) in new[] { "m1", "m2", "m3", "m4" }.Select((m, i) => (m, i)))
        {
            table.Apply(Payment("u1", i, Start.AddMinutes(i), 5m, "FR", "d1", m));
        }

        var s0 = table.Apply(Payment("u1", 10, Start.AddHours(23), 7m, "FR", "d1", "m1"))!;
        var s1 = table.Apply(Payment("u1", 11, Start.AddHours(30), 7m, "FR", "d1", "m4"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((s0.Count1h, s0.Count24h, s0.MerchantKnown), Is.EqualTo((1, 5, false)), "m1 was pushed out by three later merchants (3 kept)");
            Assert.That((s1.Count24h, s1.History), Is.EqualTo((2, 5)), "payments older than 24 h leave the window but stay in the history");
            Assert.That(s1.MerchantKnown, Is.True);
            Assert.That(s1.DeviceFirstSeenMs, Is.EqualTo(Start.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public void Windows_end_at_each_payment_by_event_time_even_when_payments_arrive_late()
    {
        var table = new UserStateTable(NoTrust);
        table.Apply(Payment("u1", 1, Start.AddMinutes(10), 10m, "FR", "d1", "m1"));
        table.Apply(Payment("u1", 2, Start.AddMinutes(50), 20m, "FR", "d1", "m1"));

        var late = table.Apply(Payment("u1", 3, Start.AddMinutes(20), 40m, "FR", "d1", "m1"))!;
        var after = table.Apply(Payment("u1", 4, Start.AddMinutes(75), 80m, "FR", "d1", "m1"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((late.Count1h, late.Sum1h), Is.EqualTo((2, 50.0)), "the late payment's hour holds the one before it, not the one after");
            Assert.That((after.Count1h, after.Sum1h), Is.EqualTo((3, 140.0)), "an hour back from 75 min: the payments at 20, 50 and 75 min, not the one at 10");
            Assert.That(after.Count24h, Is.EqualTo(4));
        }
    }

    [Test]
    public void Only_a_device_known_for_a_day_moves_the_last_position()
    {
        var table = new UserStateTable(new UserStateLimits { DeviceTrust = TimeSpan.FromHours(24) });
        var home = Payment("u1", 1, Start, 20m, "FR", "d1", "m1");
        var homeLater = Payment("u1", 2, Start.AddDays(2), 20m, "FR", "d1", "m1") with { Latitude = 45.0 };
        var stolen1 = Payment("u1", 3, Start.AddDays(2).AddMinutes(10), 200m, "BR", "x1", "m9") with { Latitude = -23.5, Longitude = -46.6 };
        var stolen2 = stolen1 with { TransactionId = "t-u1-4", EventTime = stolen1.EventTime.AddMinutes(1) };
        var next = Payment("u1", 5, Start.AddDays(2).AddMinutes(30), 20m, "FR", "d1", "m1");

        var s = new[] { home, homeLater, stolen1.WithEventId(), stolen2.WithEventId(), next }.Select(t => table.Apply(t)!).ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(s[1].LastLatitude, Is.EqualTo(home.Latitude), "the very first payment sets the position");
            Assert.That(s[2].LastLatitude, Is.EqualTo(45.0), "d1, first used two days earlier, is trusted");
            Assert.That(s[4].LastLatitude, Is.EqualTo(45.0), "the new device's payments abroad did not move the position");
            Assert.That(s[4].LastEventMs, Is.EqualTo(homeLater.EventTime.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public void A_state_read_back_from_its_stored_form_goes_on_exactly_as_the_original()
    {
        var limits = new UserStateLimits { MerchantsKept = 5, DevicesKept = 3, RecentEventsKept = 8 };
        var original = new UserState(limits);
        var stream = Enumerable.Range(0, 300)
            .Select(i => Payment("u1", i, Start.AddMinutes(i * 7), 5m + (i % 13), i % 4 == 0 ? "DE" : "FR", $"d{i % 5}", $"m{i % 9}"))
            .ToList();
        foreach (var t in stream.Take(200))
        {
            original.Apply(t, StateKeys.Of(t.EventId));
        }

        var buffer = new ArrayBufferWriter<byte>();
        original.Write(buffer);
        var copy = UserState.Read(buffer.WrittenSpan, limits);
        var recentTravelled = copy.HasApplied(StateKeys.Of(stream[199].EventId)) && !copy.HasApplied(StateKeys.Of(stream[191].EventId));

        var fromOriginal = stream.Skip(200).Select(t => original.Apply(t, StateKeys.Of(t.EventId))).ToList();
        var fromCopy = stream.Skip(200).Select(t => copy.Apply(t, StateKeys.Of(t.EventId))).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromCopy, Is.EqualTo(fromOriginal));
            Assert.That(recentTravelled, Is.True, "the latest 8 event ids travel with the state, and no older one");
            Assert.That(copy.History, Is.EqualTo(300));
        }
    }

    [Test]
    public void A_stored_form_that_is_cut_short_or_of_another_version_is_refused_with_a_reason()
    {
        var state = new UserState(new UserStateLimits());
        var t = Payment("u1", 1, Start, 10m, "FR", "d1", "m1");
        state.Apply(t, StateKeys.Of(t.EventId));
        var buffer = new ArrayBufferWriter<byte>();
        state.Write(buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        var otherVersion = bytes.ToArray();
        otherVersion[0] = 99;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => UserState.Read(bytes.AsSpan(0, bytes.Length - 3), new UserStateLimits()), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("ends early"));
            Assert.That(() => UserState.Read(otherVersion, new UserStateLimits()), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("version 99"));
            Assert.That(() => UserState.Read([.. bytes, 0], new UserStateLimits()), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("after its last field"));
        }
    }

    [Test]
    public void A_user_with_a_hundred_thousand_payments_a_day_holds_no_more_than_its_caps()
    {
        var limits = new UserStateLimits();
        var busy = new UserState(limits);
        for (var i = 0; i < 100_000; i++)
        {
            // A payment every 0.864 s for a day, across 1,000 merchants, 100 devices, 50 countries and 300 categories.
            var t = Payment("busy", i, Start.AddMilliseconds(i * 864L), 10m, $"C{i % 50}", $"d{i % 100}", $"m{i % 1000}") with { MerchantCategory = (1000 + (i % 300)).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            busy.Apply(t, StateKeys.Of(t.EventId));
        }

        var quiet = new UserState(limits);
        for (var i = 0; i < 10; i++)
        {
            var t = Payment("quiet", i, Start.AddHours(i * 2), 10m, "FR", "d1", "m1");
            quiet.Apply(t, StateKeys.Of(t.EventId));
        }

        var last = Payment("busy", 100_001, Start.AddDays(1), 10m, "C1", "d1", "m1");
        var snapshot = busy.Apply(last, StateKeys.Of(last.EventId));
        var stored = new ArrayBufferWriter<byte>();
        busy.Write(stored);
        var quietStored = new ArrayBufferWriter<byte>();
        quiet.Write(quietStored);
        using (Assert.EnterMultipleScope())
        {
            // 60 + 60 + 96 buckets, 32 devices, 32 countries, 64 categories, 200 merchants and 64 event ids at most.
            Assert.That(busy.ApproximateBytes, Is.LessThan(20_000), "in memory");
            Assert.That(stored.WrittenCount, Is.LessThan(20_000), "stored in Redis");
            Assert.That(quiet.ApproximateBytes, Is.LessThan(2_000), "a quiet user costs little");
            Assert.That(quietStored.WrittenCount, Is.LessThan(500), "and little in Redis");
            // The windows are exact to a bucket: a day less at most 15 minutes (1,042 payments), an hour less at most a minute (70).
            Assert.That(snapshot.Count24h, Is.InRange(100_001 - 1_042, 100_001), "a day of payments in the 24 h window");
            Assert.That(snapshot.Count1h, Is.InRange(4_168 - 70, 4_168), "an hour of payments every 0.864 s");
            Assert.That(snapshot.History, Is.EqualTo(100_000));
        }
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
