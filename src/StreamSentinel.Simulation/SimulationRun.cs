using System.Globalization;
using StreamSentinel.Contracts;

namespace StreamSentinel.Simulation;

// One enumeration of TransactionSimulator.Generate: a clock for the cardholders' own payments, and a queue of fraud
// planned ahead, merged by event time. All state lives here, so that every enumeration starts from the seed again.
internal sealed class SimulationRun
{
    private const double HabitualShare = 0.85;
    private const double DigitalGoodsShare = 0.03;
    private const double TripChance = 0.003;
    private const double SleepingAcceptance = 0.05;
    private const double PrimaryCardShare = 0.85;
    private const double PrimaryDeviceShare = 0.7;
    private const int UserPickAttempts = 64;
    private const int VictimPickAttempts = 16;

    // Legit travel stays under 800 km/h; trips are timed at 700 km/h (block speed of a jet) plus two hours at airports,
    // and moves within a city that would be faster than 700 km/h keep the cardholder where they were.
    private const double TravelSpeedKmh = 700;
    private const long AirportMs = 2 * Geo.HourMs;

    // Episodes start at most this many times as often as the target needs: a deficit (while users still warm up) is
    // made good over a few thousand transactions rather than in one burst.
    private const double CatchUpFactor = 3;

    // Payments by local hour, scaled to a mean of 1: quiet at night, peaks at lunch and after work.
    private static readonly double[] HourlyRhythm = MeanOfOne(
        [0.15, 0.07, 0.04, 0.03, 0.03, 0.06, 0.25, 0.6, 0.9, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 1.1, 1.2, 1.5, 1.7, 1.6, 1.3, 1.0, 0.6, 0.3]);

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly SimulatedWorld _world;
    private readonly FraudEpisodes _episodes;
    private readonly PriorityQueue<SimulatedTransaction, (long TimeMs, long Sequence)> _scheduled = new();
    private readonly List<(long TimeMs, Transaction Draft)> _legs = [];
    private readonly List<int> _possibleVictims = [];
    private readonly double[] _cityWeights;
    private readonly double _totalActivity;
    private readonly double _maxRhythm;
    private readonly double _candidateRatePerMs;
    private readonly double _episodeChance;
    private readonly long _endUnixMs = SimulationOptions.LatestEventTime.ToUnixTimeMilliseconds();
    private double _clockMs;
    private double _cityWeightSum;
    private long _cityWeightsValidUntilUnixMs = long.MinValue;
    private long _sequence;
    private long _emitted;
    private long _labelsPlanned;

    public SimulationRun(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _world = new SimulatedWorld(options, _random);
        _episodes = new FraudEpisodes(_world, _random);
        _cityWeights = new double[CityTable.All.Count];
        _totalActivity = _world.CityActivity.Sum();
        _maxRhythm = HourlyRhythm.Max();

        // Candidate times at the peak rate, thinned by the rhythm of the hour (Lewis–Shedler): an exact daily cycle
        // whose mean is Users × TransactionsPerUserPerDay a day.
        _candidateRatePerMs = options.Users * options.TransactionsPerUserPerDay / Geo.DayMs * _maxRhythm;
        _episodeChance = options.Scenarios.Count == 0
            ? 0
            : Math.Min(1, CatchUpFactor * options.FraudShare / options.Scenarios.Average(FraudEpisodes.ExpectedLabels));
        if (options.WarmUpTransactionsPerUser == 0)
        {
            _possibleVictims.AddRange(Enumerable.Range(0, options.Users));
        }
    }

    public IEnumerable<SimulatedTransaction> Run(long count)
    {
        var nextLegitMs = AdvanceClock();
        while (_emitted < count)
        {
            if (_scheduled.TryPeek(out var due, out var at) && at.TimeMs <= nextLegitMs)
            {
                _scheduled.Dequeue();
                yield return Emit(due);
                continue;
            }

            var legit = TryLegit(nextLegitMs);
            if (legit is not null)
            {
                yield return Emit(new SimulatedTransaction(legit, null));
                MaybeStartEpisode(nextLegitMs);
            }

            nextLegitMs = AdvanceClock();
        }
    }

    // Ids in emission order, so that txn-{seed}-{n} is the n-th transaction of the stream.
    private SimulatedTransaction Emit(SimulatedTransaction draft)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"txn-{_options.Seed}-{_emitted}");
        _emitted++;
        return draft with { Transaction = (draft.Transaction with { TransactionId = id }).WithEventId() };
    }

    private long AdvanceClock()
    {
        while (true)
        {
            _clockMs += _random.Exponential(_candidateRatePerMs);
            if (_world.StartUnixMs + _clockMs >= _endUnixMs)
            {
                throw new InvalidOperationException(
                    "The simulated clock reached 2100, where the contract ends: generate fewer, or raise Users or TransactionsPerUserPerDay");
            }

            var rhythm = UpdateCityWeights(_world.StartUnixMs + (long)_clockMs);
            if (_random.NextDouble() * _maxRhythm < rhythm)
            {
                return (long)_clockMs;
            }
        }
    }

    // Weighs each city by its residents' activity and the hour there; returns the mean rhythm of the population now.
    // The weights hold until the next local hour boundary of any city, so they are recomputed a few hundred times a
    // simulated day rather than for every candidate time.
    private double UpdateCityWeights(long unixMs)
    {
        if (unixMs < _cityWeightsValidUntilUnixMs)
        {
            return _cityWeightSum / _totalActivity;
        }

        var sum = 0.0;
        var validUntil = long.MaxValue;
        for (var city = 0; city < _cityWeights.Length; city++)
        {
            var offset = _world.CityUtcOffsetMs[city];
            var activity = _world.CityActivity[city];
            var weight = activity == 0 ? 0 : activity * HourlyRhythm[Geo.LocalHour(unixMs, offset)];
            _cityWeights[city] = weight;
            sum += weight;
            var local = unixMs + offset;
            var intoHour = ((local % Geo.HourMs) + Geo.HourMs) % Geo.HourMs;
            validUntil = Math.Min(validUntil, unixMs - intoHour + Geo.HourMs);
        }

        _cityWeightSum = sum;
        _cityWeightsValidUntilUnixMs = validUntil;
        return sum / _totalActivity;
    }

    private Transaction? TryLegit(long nowMs)
    {
        var user = PickUser(nowMs);
        if (user is null)
        {
            return null;
        }

        if (user.TripCity >= 0 && nowMs >= user.HomeAgainMs)
        {
            user.TripCity = -1;
        }

        var transaction = (user.TripCity < 0 && user.BusyUntilMs < nowMs && _random.Chance(TripChance) ? TryStartTrip(user, nowMs) : null)
            ?? Purchase(user, nowMs);
        if (user.PendingImpossibleTravel > 0 && user.TripCity < 0)
        {
            _legs.Clear();
            _episodes.ImpossibleTravelLegs(user, nowMs, _legs);
            Schedule(user, FraudScenarios.ImpossibleTravel);
        }

        return transaction;
    }

    // A user drawn by activity from the cities busy at this hour; one asleep where they are is mostly passed over, one
    // in a plane always.
    private SimulatedUser? PickUser(long nowMs)
    {
        if (_cityWeightSum <= 0)
        {
            return null;
        }

        var unixMs = _world.StartUnixMs + nowMs;
        for (var attempt = 0; attempt < UserPickAttempts; attempt++)
        {
            var user = _world.PickResident(_random, PickCity());
            if (user.InTransit(nowMs))
            {
                continue;
            }

            var localHour = Geo.LocalHour(unixMs, _world.CityUtcOffsetMs[user.CurrentCity(nowMs)]);
            if (user.IsAwake(localHour) || _random.Chance(SleepingAcceptance))
            {
                return user;
            }
        }

        return null;
    }

    private int PickCity()
    {
        var roll = _random.NextDouble() * _cityWeightSum;
        var last = 0;
        for (var city = 0; city < _cityWeights.Length; city++)
        {
            if (_cityWeights[city] <= 0)
            {
                continue;
            }

            last = city;
            roll -= _cityWeights[city];
            if (roll < 0)
            {
                return city;
            }
        }

        return last;
    }

    // A payment at home or, on a trip, where the user is.
    private Transaction Purchase(SimulatedUser user, long nowMs)
    {
        var cityIndex = user.CurrentCity(nowMs);
        var merchant = cityIndex == user.HomeCity ? HomeMerchant(user) : TripMerchant(user, cityIndex);
        var inPerson = merchant.City == cityIndex && !MerchantCategories.All[merchant.Category].DigitalOnly;
        var channel = inPerson ? InPersonChannel() : OnlineChannel();
        var roll = _random.NextDouble();
        var device = roll < PrimaryDeviceShare ? 0 : _random.Next(user.DeviceIds.Count);
        var ip = cityIndex == user.HomeCity ? user.IpAddresses[device] : user.TripIpAddress;
        return Legit(user, merchant, TypicalAmount(user, merchant.Category), nowMs, cityIndex, channel, device, ip);
    }

    // 85% at one of the user's merchants, else a new one of their categories in town; now and then digital goods.
    private SimulatedMerchant HomeMerchant(SimulatedUser user)
    {
        var roll = _random.NextDouble();
        var digital = _world.MerchantsOf(MerchantCategories.DigitalGoods);
        if (roll < DigitalGoodsShare && digital.Count > 0)
        {
            return _world.Merchants[_random.Pick(digital)];
        }

        var habitual = _world.Merchants[_random.Pick(user.HabitualMerchants)];
        if (roll < DigitalGoodsShare + ((1 - DigitalGoodsShare) * HabitualShare))
        {
            return habitual;
        }

        var local = _world.MerchantsIn(user.HomeCity, _random.Pick(user.HabitualCategories));
        return local.Count > 0 ? _world.Merchants[_random.Pick(local)] : habitual;
    }

    // Hotel, taxi, else the user's kind of shop in that city; online at home when the city has none.
    private SimulatedMerchant TripMerchant(SimulatedUser user, int city)
    {
        var roll = _random.NextDouble();
        var category = roll < 0.1 ? MerchantCategories.Hotel : roll < 0.2 ? MerchantCategories.Taxi : _random.Pick(user.HabitualCategories);
        var there = _world.MerchantsIn(city, category);
        if (there.Count == 0)
        {
            there = _world.EverydayMerchantsIn(city);
        }

        return there.Count > 0 ? _world.Merchants[_random.Pick(there)] : _world.Merchants[_random.Pick(user.HabitualMerchants)];
    }

    // Books a flight online and leaves: the first payment away comes no sooner than the flight and airports allow, and the
    // first one home again likewise after the last one away.
    private Transaction? TryStartTrip(SimulatedUser user, long nowMs)
    {
        var airlines = _world.MerchantsOf(MerchantCategories.Airline);
        if (airlines.Count == 0)
        {
            return null;
        }

        var destination = _random.Chance(0.75) || _world.OtherCities.Count == 0
            ? _random.Pick(_world.EuropeanCities)
            : _random.Pick(_world.OtherCities);
        if (destination == user.HomeCity)
        {
            return null;
        }

        var home = CityTable.All[user.HomeCity];
        var travelMs = (long)(Geo.DistanceKm(home, CityTable.All[destination]) / TravelSpeedKmh * Geo.HourMs) + AirportMs;
        user.TripCity = destination;
        user.AwayFromMs = nowMs + travelMs + (long)_random.Uniform(0, 8 * Geo.HourMs);
        user.AwayUntilMs = user.AwayFromMs + (long)_random.Uniform(Geo.DayMs, 2 * Geo.DayMs);
        user.HomeAgainMs = user.AwayUntilMs + travelMs + (long)_random.Uniform(0, 8 * Geo.HourMs);
        user.TripIpAddress = SimulatedWorld.ForeignIpAddress(_random, destination);
        var airline = _world.Merchants[_random.Pick(airlines)];
        var fare = _random.Uniform(80, 600) * home.UnitsPerEuro;
        return Legit(user, airline, fare, nowMs, user.HomeCity, Channel.ECommerce, 0, user.IpAddresses[0]);
    }

    // Builds the user's own payment and records it in their history. In person it is at the merchant, in local currency;
    // online it is where the user is, in the card's (home) currency.
    private Transaction Legit(SimulatedUser user, SimulatedMerchant merchant, double homeAmount, long nowMs, int cityIndex, Channel channel, int device, string ip)
    {
        var home = CityTable.All[user.HomeCity];
        var city = CityTable.All[cityIndex];
        var atMerchant = channel == Channel.PointOfSale;
        var spot = Plausible(user, nowMs, atMerchant ? new Spot(merchant.Latitude, merchant.Longitude, cityIndex) : new Spot(city.Latitude, city.Longitude, cityIndex));
        var currency = atMerchant ? city.Currency : home.Currency;
        var amount = Math.Max(0.5m, SimulatedWorld.Money(atMerchant ? homeAmount * city.UnitsPerEuro / home.UnitsPerEuro : homeAmount));
        var card = user.CardIds.Count == 1 || _random.Chance(PrimaryCardShare) ? user.CardIds[0] : user.CardIds[1];
        var transaction = _world.Draft(user, card, merchant, amount, currency, nowMs, spot, user.DeviceIds[device], ip, channel);

        user.LegitCount++;
        user.LastLegitMs = nowMs;
        user.LastLatitude = spot.Latitude;
        user.LastLongitude = spot.Longitude;
        user.UsedMerchants.Add(merchant.Index);
        user.UseCategory(merchant.Category);
        if (currency == home.Currency)
        {
            user.HomeCurrencyAmounts.Add((double)amount);
        }

        if (user.LegitCount == _options.WarmUpTransactionsPerUser)
        {
            _possibleVictims.Add(user.Index);
        }

        return transaction;
    }

    // Two payments seconds apart at opposite ends of a town would need a jet: the user stays where they last paid.
    private static Spot Plausible(SimulatedUser user, long nowMs, Spot spot)
    {
        if (user.LastLegitMs < 0)
        {
            return spot;
        }

        var hours = (nowMs - user.LastLegitMs) / (double)Geo.HourMs;
        var km = Geo.DistanceKm(user.LastLatitude, user.LastLongitude, spot.Latitude, spot.Longitude);
        return km <= TravelSpeedKmh * hours ? spot : spot with { Latitude = user.LastLatitude, Longitude = user.LastLongitude };
    }

    private double TypicalAmount(SimulatedUser user, int category) =>
        user.MedianAmount * Math.Exp(user.AmountSigma * _random.Normal()) * MerchantCategories.All[category].AmountFactor;

    private Channel InPersonChannel()
    {
        var roll = _random.NextDouble();
        return roll < 0.8 ? Channel.PointOfSale : roll < 0.92 ? Channel.ECommerce : Channel.Mobile;
    }

    private Channel OnlineChannel() => _random.Chance(0.6) ? Channel.ECommerce : Channel.Mobile;

    // Steers toward FraudShare: while the labels planned so far fall short of the share of what was emitted, an episode
    // starts with some chance, against a warmed-up user at home with no episode running.
    private void MaybeStartEpisode(long nowMs)
    {
        if (_possibleVictims.Count == 0 || _labelsPlanned >= _options.FraudShare * _emitted || !_random.Chance(_episodeChance))
        {
            return;
        }

        var scenario = _random.Pick(_options.Scenarios);
        for (var attempt = 0; attempt < VictimPickAttempts; attempt++)
        {
            var user = _world.Users[_random.Pick(_possibleVictims)];
            if (!user.IsFree(nowMs))
            {
                continue;
            }

            _legs.Clear();
            var labels = _episodes.Plan(scenario, user, nowMs, _legs);
            if (labels == 0)
            {
                continue;
            }

            _labelsPlanned += labels;
            if (_legs.Count == 0)
            {
                // Impossible travel waits for the user's next payment at home; no trip meanwhile.
                user.BusyUntilMs = long.MaxValue;
                return;
            }

            Schedule(user, scenario);
            return;
        }
    }

    private void Schedule(SimulatedUser user, string scenario)
    {
        var until = long.MinValue;
        foreach (var (timeMs, draft) in _legs)
        {
            _scheduled.Enqueue(new SimulatedTransaction(draft, scenario), (timeMs, _sequence++));
            until = Math.Max(until, timeMs);
        }

        user.BusyUntilMs = until;
    }

    private static double[] MeanOfOne(double[] values)
    {
        var mean = values.Average();
        return [.. values.Select(v => v / mean)];
    }
}
