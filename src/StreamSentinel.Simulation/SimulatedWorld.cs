using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Simulation;

// Cities, merchants and cardholders, drawn once from the run's Random, with the indices the run and the fraud
// episodes look things up by.
internal sealed class SimulatedWorld
{
    // Merchants within this distance of their city's centre: a payment there is "in the city" (under 5 km).
    private const double MerchantSpreadKm = 4.5;

    private readonly DateTimeOffset _start;
    private readonly int[][] _merchantsByCityAndCategory;
    private readonly int[][] _merchantsByCategory;
    private readonly int[][] _everydayMerchantsByCity;
    private readonly int[][] _inPersonMerchantsByCity;
    private readonly int[][] _citiesAtLeast1000Km;
    private readonly int[][] _citiesAtLeast3000KmWithShops;
    private readonly int[][] _residentsByCity;
    private readonly double[][] _cumulativeActivityByCity;

    public SimulatedWorld(SimulationOptions options, Random random)
    {
        _start = options.Start;
        StartUnixMs = options.Start.ToUnixTimeMilliseconds();
        var cities = CityTable.All;
        var categories = MerchantCategories.All;
        var residents = cities.Select(c => c.Residents).ToArray();

        var merchants = new SimulatedMerchant[options.Merchants];
        var merchantWeights = categories.Select(c => c.MerchantWeight).ToArray();
        for (var n = 0; n < merchants.Length; n++)
        {
            // The first merchants take one category each, so every scenario finds a merchant of the category it needs.
            var category = n < categories.Count ? n : random.PickWeighted(merchantWeights);
            var city = random.PickWeighted(residents);
            var (latitude, longitude) = Geo.Near(random, cities[city].Latitude, cities[city].Longitude, MerchantSpreadKm);
            merchants[n] = new SimulatedMerchant(n, Id("m", n), category, city, latitude, longitude);
        }

        Merchants = merchants;

        _merchantsByCityAndCategory = Group(cities.Count * categories.Count, merchants.Select(m => ((m.City * categories.Count) + m.Category, m.Index)));
        _merchantsByCategory = Group(categories.Count, merchants.Select(m => (m.Category, m.Index)));
        _everydayMerchantsByCity = Group(cities.Count, merchants.Where(m => IsEveryday(m.Category)).Select(m => (m.City, m.Index)));
        _inPersonMerchantsByCity = Group(
            cities.Count,
            merchants.Where(m => !categories[m.Category].DigitalOnly && m.Category != MerchantCategories.AtmCash).Select(m => (m.City, m.Index)));
        EverydayMerchants = [.. merchants.Where(m => IsEveryday(m.Category)).Select(m => m.Index)];
        OnlineSellers = [.. merchants.Where(m => categories[m.Category].SellsOnline).Select(m => m.Index)];
        CardTestingMerchants = [.. merchants.Where(m => MerchantCategories.CardTesting.Contains(m.Category)).Select(m => m.Index)];

        _citiesAtLeast1000Km = [.. Enumerable.Range(0, cities.Count).Select(c => FarCities(c, 1000, withShops: false))];
        _citiesAtLeast3000KmWithShops = [.. Enumerable.Range(0, cities.Count).Select(c => FarCities(c, 3000, withShops: true))];
        EuropeanCities = [.. Enumerable.Range(0, cities.Count).Where(c => cities[c].InEurope)];
        OtherCities = [.. Enumerable.Range(0, cities.Count).Where(c => !cities[c].InEurope)];
        CityUtcOffsetMs = [.. cities.Select(c => Geo.UtcOffsetMs(c.Longitude))];

        var everydayWeights = categories.Select((c, i) => IsEveryday(i) ? c.MerchantWeight : 0).ToArray();
        var users = new SimulatedUser[options.Users];
        for (var n = 0; n < users.Length; n++)
        {
            users[n] = CreateUser(random, n, random.PickWeighted(residents), everydayWeights);
        }

        Users = users;
        _residentsByCity = Group(cities.Count, users.Select(u => (u.HomeCity, u.Index)));
        _cumulativeActivityByCity = [.. _residentsByCity.Select(r => Cumulative(r.Select(u => users[u].Activity)))];
        CityActivity = [.. _cumulativeActivityByCity.Select(c => c.Length == 0 ? 0 : c[^1])];
    }

    public long StartUnixMs { get; }

    public IReadOnlyList<SimulatedMerchant> Merchants { get; }

    public IReadOnlyList<SimulatedUser> Users { get; }

    public IReadOnlyList<int> EverydayMerchants { get; }

    public IReadOnlyList<int> OnlineSellers { get; }

    public IReadOnlyList<int> CardTestingMerchants { get; }

    public IReadOnlyList<int> EuropeanCities { get; }

    public IReadOnlyList<int> OtherCities { get; }

    public IReadOnlyList<long> CityUtcOffsetMs { get; }

    // Sum of the activity weights of each city's residents.
    public IReadOnlyList<double> CityActivity { get; }

    public static decimal Money(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    public IReadOnlyList<int> MerchantsIn(int city, int category) => _merchantsByCityAndCategory[(city * MerchantCategories.All.Count) + category];

    public IReadOnlyList<int> MerchantsOf(int category) => _merchantsByCategory[category];

    public IReadOnlyList<int> EverydayMerchantsIn(int city) => _everydayMerchantsByCity[city];

    // Merchants a card can be presented at: neither digital-only nor an ATM.
    public IReadOnlyList<int> InPersonMerchantsIn(int city) => _inPersonMerchantsByCity[city];

    public IReadOnlyList<int> CitiesAtLeast1000KmFrom(int city) => _citiesAtLeast1000Km[city];

    public IReadOnlyList<int> CitiesAtLeast3000KmWithShopsFrom(int city) => _citiesAtLeast3000KmWithShops[city];

    // A resident of the city, chosen by activity weight.
    public SimulatedUser PickResident(Random random, int city)
    {
        var cumulative = _cumulativeActivityByCity[city];
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        index = index < 0 ? ~index : index + 1;
        return Users[_residentsByCity[city][Math.Min(index, cumulative.Length - 1)]];
    }

    public static string ForeignIpAddress(Random random, int city) => string.Create(
        CultureInfo.InvariantCulture,
        $"{CityTable.FirstOctet(city)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}");

    // The payment without its transaction and event ids: those are given in emission order.
    public Transaction Draft(
        SimulatedUser user,
        string cardId,
        SimulatedMerchant merchant,
        decimal amount,
        string currency,
        long timeMs,
        Spot spot,
        string deviceId,
        string ipAddress,
        Channel channel) => new()
        {
            UserId = user.Id,
            CardId = cardId,
            MerchantId = merchant.Id,
            MerchantCategory = MerchantCategories.All[merchant.Category].Code,
            Amount = amount,
            Currency = currency,
            EventTime = _start.AddTicks(timeMs * TimeSpan.TicksPerMillisecond),
            Latitude = spot.Latitude,
            Longitude = spot.Longitude,
            Country = CityTable.All[spot.City].Country,
            DeviceId = deviceId,
            IpAddress = ipAddress,
            Channel = channel,
        };

    private SimulatedUser CreateUser(Random random, int n, int home, double[] everydayWeights)
    {
        var id = Id("u", n);
        var cards = random.Chance(0.3) ? 2 : 1;
        var roll = random.NextDouble();
        var devices = roll < 0.5 ? 1 : roll < 0.85 ? 2 : 3;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{CityTable.FirstOctet(home)}.{random.Next(256)}.{random.Next(256)}");
        var firstHost = random.Next(2, 250);
        var habitual = PickHabitualMerchants(random, home, everydayWeights);
        var homeCity = CityTable.All[home];
        return new SimulatedUser
        {
            Index = n,
            Id = id,
            HomeCity = home,
            CardIds = [.. Enumerable.Range(0, cards).Select(k => string.Create(CultureInfo.InvariantCulture, $"c-{n}-{k}"))],
            DeviceIds = [.. Enumerable.Range(0, devices).Select(k => string.Create(CultureInfo.InvariantCulture, $"d-{n}-{k}"))],
            IpAddresses = [.. Enumerable.Range(0, devices).Select(k => string.Create(CultureInfo.InvariantCulture, $"{prefix}.{firstHost + k}"))],
            HabitualMerchants = habitual,
            HabitualCategories = [.. habitual.Select(m => Merchants[m].Category).Distinct()],
            MedianAmount = random.Uniform(15, 80) * homeCity.UnitsPerEuro,
            AmountSigma = random.Uniform(0.4, 0.7),
            WakeHour = random.Next(6, 9),
            SleepHour = random.Next(22, 25),

            // Log-normal activity, clamped: a few cardholders pay ten times as often as the quietest ones.
            Activity = Math.Clamp(Math.Exp(0.6 * random.Normal()), 0.3, 3),
        };
    }

    // 2–4 everyday categories, then 6–15 merchants of those categories in the home city; a small city that lacks them
    // lends other everyday merchants of the city, then of anywhere (paid online, see SimulationRun).
    private int[] PickHabitualMerchants(Random random, int home, double[] everydayWeights)
    {
        var wanted = random.Next(6, 16);
        var categoryCount = random.Next(2, 5);
        var chosen = new List<int>(categoryCount);
        while (chosen.Count < categoryCount)
        {
            var category = random.PickWeighted(everydayWeights);
            if (!chosen.Contains(category))
            {
                chosen.Add(category);
            }
        }

        var picked = new List<int>(wanted);
        TakeDistinct(random, [.. chosen.Select(c => MerchantsIn(home, c))], picked, wanted);
        TakeDistinct(random, [EverydayMerchantsIn(home)], picked, wanted);
        TakeDistinct(random, [EverydayMerchants], picked, wanted);
        return [.. picked];
    }

    // Adds random distinct members of the lists (taken as one) to picked until it holds wanted or the lists run out.
    private static void TakeDistinct(Random random, IReadOnlyList<int>[] lists, List<int> picked, int wanted)
    {
        var total = lists.Sum(l => l.Count);

        // Among many candidates (a big city), draw and skip repeats rather than copy the candidates for every user.
        for (var attempt = 0; total > 4 * wanted && picked.Count < wanted && attempt < 8 * wanted; attempt++)
        {
            var candidate = ElementAt(lists, random.Next(total));
            if (!picked.Contains(candidate))
            {
                picked.Add(candidate);
            }
        }

        if (picked.Count >= wanted)
        {
            return;
        }

        var pool = lists.SelectMany(l => l).Where(c => !picked.Contains(c)).ToList();
        while (picked.Count < wanted && pool.Count > 0)
        {
            var i = random.Next(pool.Count);
            picked.Add(pool[i]);
            pool[i] = pool[^1];
            pool.RemoveAt(pool.Count - 1);
        }
    }

    private static int ElementAt(IReadOnlyList<int>[] lists, int index)
    {
        foreach (var list in lists)
        {
            if (index < list.Count)
            {
                return list[index];
            }

            index -= list.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    private int[] FarCities(int city, double minKm, bool withShops)
    {
        var cities = CityTable.All;
        return
        [
            .. Enumerable.Range(0, cities.Count)
                .Where(c => Geo.DistanceKm(cities[city], cities[c]) >= minKm && (!withShops || _inPersonMerchantsByCity[c].Length > 0)),
        ];
    }

    private static bool IsEveryday(int category) => MerchantCategories.All[category].Kind == MerchantCategoryKind.Everyday;

    private static int[][] Group(int groups, IEnumerable<(int Group, int Index)> members)
    {
        var lists = Enumerable.Range(0, groups).Select(_ => new List<int>()).ToArray();
        foreach (var (group, index) in members)
        {
            lists[group].Add(index);
        }

        return [.. lists.Select(l => l.ToArray())];
    }

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        var sum = 0.0;
        return [.. weights.Select(w => sum += w)];
    }

    private static string Id(string prefix, int n) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{n}");
}
