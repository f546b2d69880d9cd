using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Simulation;

// Plans the transactions of each fraud scenario against a victim. Every planned leg is labelled; the impossible travel
// trigger is the victim's own payment, made by SimulationRun.
internal sealed class FraudEpisodes(SimulatedWorld world, Random random)
{
    private const long SecondMs = 1000;
    private const long MinuteMs = 60 * SecondMs;
    private const int MerchantPickAttempts = 64;

    private long _fraudsterDevices;

    // Mean labelled transactions per episode, from the ranges below: lets the run pace episode starts.
    public static double ExpectedLabels(string scenario) => scenario switch
    {
        FraudScenarios.VelocityBurst => 11.5,
        FraudScenarios.CardTesting => 9,
        FraudScenarios.ImpossibleTravel => 1.5,
        FraudScenarios.AccountTakeover => 4.5,
        FraudScenarios.AmountSpike => 1,
        FraudScenarios.UnusualCategoryHour => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    // Adds the episode's legs (all at or after nowMs) and returns how many labelled transactions it will emit;
    // 0 when the scenario cannot be played against this user (nothing is then added).
    public int Plan(string scenario, SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs) => scenario switch
    {
        FraudScenarios.VelocityBurst => VelocityBurst(user, nowMs, legs),
        FraudScenarios.CardTesting => CardTesting(user, nowMs, legs),
        FraudScenarios.ImpossibleTravel => ImpossibleTravel(user),
        FraudScenarios.AccountTakeover => AccountTakeover(user, nowMs, legs),
        FraudScenarios.AmountSpike => AmountSpike(user, nowMs, legs),
        FraudScenarios.UnusualCategoryHour => UnusualCategoryHour(user, nowMs, legs),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    // A cloned card presented in a city at least 3000 km away, 5 to 60 minutes after the victim paid at home.
    public void ImpossibleTravelLegs(SimulatedUser user, long triggerMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var count = user.PendingImpossibleTravel;
        user.PendingImpossibleTravel = 0;
        var cityIndex = random.Pick(world.CitiesAtLeast3000KmWithShopsFrom(user.HomeCity));
        var city = CityTable.All[cityIndex];
        var home = CityTable.All[user.HomeCity];
        var shops = world.InPersonMerchantsIn(cityIndex);
        var offsets = Enumerable.Range(0, count).Select(_ => (long)random.Uniform(5 * MinuteMs, 60 * MinuteMs)).Order().ToArray();
        var card = random.Pick(user.CardIds);
        var device = NewDevice();
        var ip = SimulatedWorld.ForeignIpAddress(random, cityIndex);
        var median = user.ReferenceMedian();
        foreach (var offset in offsets)
        {
            var merchant = world.Merchants[random.Pick(shops)];
            var amount = SimulatedWorld.Money(random.Uniform(1, 4) * median * city.UnitsPerEuro / home.UnitsPerEuro);
            var spot = new Spot(merchant.Latitude, merchant.Longitude, cityIndex);
            legs.Add((triggerMs + offset, Draft(user, card, merchant, amount, city.Currency, triggerMs + offset, spot, device, ip, Channel.PointOfSale)));
        }
    }

    // 8–15 online payments within 60–120 s at merchants the victim does not know, from the fraudster's device and country.
    private int VelocityBurst(SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var before = legs.Count;
        var count = random.Next(8, 16);
        var fraudster = FraudsterCity(user);
        var spot = Near(fraudster);
        var home = CityTable.All[user.HomeCity];
        var card = random.Pick(user.CardIds);
        var device = NewDevice();
        var ip = SimulatedWorld.ForeignIpAddress(random, fraudster);
        var start = nowMs + (long)random.Uniform(0, 10 * MinuteMs);
        var span = (long)random.Uniform(60 * SecondMs, 120 * SecondMs);
        var times = SpreadOver(start, span, count);
        foreach (var time in times)
        {
            var merchant = UnfamiliarMerchant(user, world.OnlineSellers);
            if (merchant is null)
            {
                break;
            }

            var amount = SimulatedWorld.Money(random.Uniform(20, 300) * home.UnitsPerEuro);
            legs.Add((time, Draft(user, card, merchant, amount, home.Currency, time, spot, device, ip, OnlineChannel())));
        }

        return legs.Count - before;
    }

    // 6–12 payments of 0.50–2.99 at distinct unknown digital and retail merchants, 20–90 s apart. The tiny amounts are
    // the same in every currency: testers probe with the smallest charge a merchant accepts.
    private int CardTesting(SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var before = legs.Count;
        var count = random.Next(6, 13);
        var fraudster = FraudsterCity(user);
        var spot = Near(fraudster);
        var home = CityTable.All[user.HomeCity];
        var card = random.Pick(user.CardIds);
        var device = NewDevice();
        var ip = SimulatedWorld.ForeignIpAddress(random, fraudster);
        var time = nowMs + (long)random.Uniform(0, 10 * MinuteMs);
        var used = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            var merchant = UnfamiliarMerchant(user, world.CardTestingMerchants, used);
            if (merchant is null)
            {
                break;
            }

            used.Add(merchant.Index);
            var amount = SimulatedWorld.Money(random.Uniform(0.5, 2.99));
            legs.Add((time, Draft(user, card, merchant, amount, home.Currency, time, spot, device, ip, Channel.ECommerce)));
            time += (long)random.Uniform(20 * SecondMs, 90 * SecondMs);
        }

        return legs.Count - before;
    }

    // Decided now, played at the victim's next payment at home (see ImpossibleTravelLegs).
    private int ImpossibleTravel(SimulatedUser user)
    {
        if (world.CitiesAtLeast3000KmWithShopsFrom(user.HomeCity).Count == 0)
        {
            return 0;
        }

        user.PendingImpossibleTravel = random.Next(1, 3);
        return user.PendingImpossibleTravel;
    }

    // 3–6 payments over 5–30 minutes at 8–25 times the victim's median, from a new device, IP and far country: resellable
    // goods and transfers online, cash at the fraudster's ATMs.
    private int AccountTakeover(SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var before = legs.Count;
        var count = random.Next(3, 7);
        var fraudster = FraudsterCity(user);
        var spot = Near(fraudster);
        var city = CityTable.All[fraudster];
        var home = CityTable.All[user.HomeCity];
        var card = random.Pick(user.CardIds);
        var device = NewDevice();
        var ip = SimulatedWorld.ForeignIpAddress(random, fraudster);
        var median = user.ReferenceMedian();
        var start = nowMs + (long)random.Uniform(0, 30 * MinuteMs);
        var span = (long)random.Uniform(5 * MinuteMs, 30 * MinuteMs);
        var atms = world.MerchantsIn(fraudster, MerchantCategories.AtmCash);
        foreach (var time in SpreadOver(start, span, count))
        {
            var category = random.Pick(MerchantCategories.Takeover);
            var value = random.Uniform(8, 25) * median;
            if (category == MerchantCategories.AtmCash && atms.Count > 0)
            {
                var atm = world.Merchants[random.Pick(atms)];

                // Cash comes in round notes.
                var cash = Math.Max(10, Math.Round(value * city.UnitsPerEuro / home.UnitsPerEuro / 10) * 10);
                var atAtm = new Spot(atm.Latitude, atm.Longitude, fraudster);
                legs.Add((time, Draft(user, card, atm, SimulatedWorld.Money(cash), city.Currency, time, atAtm, device, ip, Channel.Atm)));
                continue;
            }

            if (category == MerchantCategories.AtmCash)
            {
                // No ATM in the fraudster's city: the money leaves online instead.
                category = random.Pick(MerchantCategories.TakeoverOnline);
            }

            var merchant = world.Merchants[random.Pick(world.MerchantsOf(category))];
            legs.Add((time, Draft(user, card, merchant, SimulatedWorld.Money(value), home.Currency, time, spot, device, ip, OnlineChannel())));
        }

        return legs.Count - before;
    }

    // One payment of 15–60 times the victim's median at one of their merchants, with their usual card, device and address.
    private int AmountSpike(SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var merchant = world.Merchants[random.Pick(user.HabitualMerchants)];
        var home = CityTable.All[user.HomeCity];
        var inPerson = merchant.City == user.HomeCity;
        var spot = inPerson ? new Spot(merchant.Latitude, merchant.Longitude, user.HomeCity) : HomeSpot(user);
        var amount = SimulatedWorld.Money(random.Uniform(15, 60) * user.ReferenceMedian());
        var time = nowMs + (long)random.Uniform(MinuteMs, 120 * MinuteMs);
        var channel = inPerson ? Channel.PointOfSale : Channel.ECommerce;
        legs.Add((time, Draft(user, user.CardIds[0], merchant, amount, home.Currency, time, spot, user.DeviceIds[0], user.IpAddresses[0], channel)));
        return 1;
    }

    // 1–3 payments a few minutes apart in a category the victim never used, between 01:00 and 05:00 their time, from
    // their usual device at home: a compromised phone, or a cardholder coerced.
    private int UnusualCategoryHour(SimulatedUser user, long nowMs, List<(long TimeMs, Transaction Draft)> legs)
    {
        var fresh = MerchantCategories.Night.Where(c => !user.HasUsedCategory(c) && world.MerchantsOf(c).Count > 0).ToArray();
        if (fresh.Length == 0)
        {
            return 0;
        }

        var category = random.Pick(fresh);
        var count = random.Next(1, 4);
        var home = CityTable.All[user.HomeCity];
        var spot = HomeSpot(user);
        var median = user.ReferenceMedian();

        // 01:00–04:30 local, so that up to three payments 2–10 minutes apart all fall before 05:00.
        var offset = world.CityUtcOffsetMs[user.HomeCity];
        var localNow = world.StartUnixMs + nowMs + offset;
        var night = localNow - (((localNow % Geo.DayMs) + Geo.DayMs) % Geo.DayMs) + (long)random.Uniform(Geo.HourMs, 4.5 * Geo.HourMs);
        if (night < localNow + MinuteMs)
        {
            night += Geo.DayMs;
        }

        var time = night - offset - world.StartUnixMs;
        for (var i = 0; i < count; i++)
        {
            var merchant = world.Merchants[random.Pick(world.MerchantsOf(category))];
            var amount = SimulatedWorld.Money(random.Uniform(3, 10) * median);
            legs.Add((time, Draft(user, random.Pick(user.CardIds), merchant, amount, home.Currency, time, spot, user.DeviceIds[0], user.IpAddresses[0], OnlineChannel())));
            time += (long)random.Uniform(2 * MinuteMs, 10 * MinuteMs);
        }

        user.UseCategory(category);
        return count;
    }

    // Records what the victim's card was used for, so later episodes still find merchants and categories it never used.
    private Transaction Draft(
        SimulatedUser user,
        string card,
        SimulatedMerchant merchant,
        decimal amount,
        string currency,
        long timeMs,
        Spot spot,
        string device,
        string ip,
        Channel channel)
    {
        user.UsedMerchants.Add(merchant.Index);
        user.UseCategory(merchant.Category);
        return world.Draft(user, card, merchant, amount, currency, timeMs, spot, device, ip, channel);
    }

    private SimulatedMerchant? UnfamiliarMerchant(SimulatedUser user, IReadOnlyList<int> candidates, HashSet<int>? exclude = null)
    {
        for (var attempt = 0; attempt < MerchantPickAttempts && candidates.Count > 0; attempt++)
        {
            var merchant = random.Pick(candidates);
            if (!user.HasUsedMerchant(merchant) && (exclude is null || !exclude.Contains(merchant)))
            {
                return world.Merchants[merchant];
            }
        }

        return null;
    }

    // Fraudsters work from at least 1000 km away, hence abroad: no two cities of one country in the table are that far apart.
    private int FraudsterCity(SimulatedUser user) => random.Pick(world.CitiesAtLeast1000KmFrom(user.HomeCity));

    private Spot Near(int city)
    {
        var (latitude, longitude) = Geo.Near(random, CityTable.All[city].Latitude, CityTable.All[city].Longitude, 4.5);
        return new Spot(latitude, longitude, city);
    }

    private static Spot HomeSpot(SimulatedUser user) => new(CityTable.All[user.HomeCity].Latitude, CityTable.All[user.HomeCity].Longitude, user.HomeCity);

    private Channel OnlineChannel() => random.Chance(0.6) ? Channel.ECommerce : Channel.Mobile;

    private string NewDevice() => string.Create(CultureInfo.InvariantCulture, $"d-x-{_fraudsterDevices++}");

    // count times from start to start + span: the ends included, the rest uniform in between.
    private long[] SpreadOver(long start, long span, int count)
    {
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            times[i] = i == 0 ? start : i == count - 1 ? start + span : start + (long)(random.NextDouble() * span);
        }

        Array.Sort(times);
        return times;
    }
}
