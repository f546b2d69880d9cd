using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Simulation;

namespace StreamSentinel.Domain.Tests.Simulation;

public sealed class TransactionSimulatorTests
{
    private const int StreamLength = 100_000;
    private const double EarthRadiusKm = 6371.0088;

    // One default run, shared by the tests that look at its fraud and its travel (100k transactions take about a second).
    private static readonly Lazy<IReadOnlyList<SimulatedTransaction>> DefaultStream =
        new(() => [.. new TransactionSimulator(new SimulationOptions()).Generate(StreamLength)]);

    private static readonly string[] StolenDeviceScenarios =
        [FraudScenarios.VelocityBurst, FraudScenarios.CardTesting, FraudScenarios.ImpossibleTravel, FraudScenarios.AccountTakeover];

    [Test]
    public void Same_seed_gives_the_same_sequence_and_another_seed_a_different_one()
    {
        var first = EventIdsOf(new SimulationOptions { Seed = 7 }, 5000);
        var again = EventIdsOf(new SimulationOptions { Seed = 7 }, 5000);
        var other = EventIdsOf(new SimulationOptions { Seed = 8 }, 5000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first));
        }
    }

    [Test]
    public void Each_enumeration_replays_the_run_and_later_changes_to_the_options_do_not_leak_in()
    {
        var options = new SimulationOptions { Seed = 3 };
        var transactions = new TransactionSimulator(options).Generate(2000);
        var first = transactions.Select(t => t.Transaction.EventId).ToList();

        options.Seed = 4;

        Assert.That(transactions.Select(t => t.Transaction.EventId), Is.EqualTo(first));
    }

    [Test]
    public void The_stream_holds_exactly_count_valid_transactions_in_event_time_order()
    {
        var stream = DefaultStream.Value;
        var transactions = stream.Select(s => s.Transaction).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stream, Has.Count.EqualTo(StreamLength));
            Assert.That(transactions.Zip(transactions.Skip(1)).Count(p => p.Second.EventTime < p.First.EventTime), Is.Zero, "out of order");
            Assert.That(transactions.Select(t => t.TransactionId).Distinct().Count(), Is.EqualTo(StreamLength), "unique transaction ids");
            Assert.That(transactions.Where(t => t.EventId != EventIds.For(t)), Is.Empty, "event ids");
            Assert.That(transactions.Where(t => t.IngestedAt is not null || t.SchemaVersion != Transaction.CurrentSchemaVersion), Is.Empty);
            Assert.That(transactions.Select(ContractValidation.Validate).Where(e => e is not null).Take(5).Select(e => e!.ToString()), Is.Empty);
            Assert.That(transactions.Where(t => t.Amount.Scale > 2), Is.Empty, "at most two decimals");
        }
    }

    [Test]
    public void Small_and_empty_runs_give_exactly_what_was_asked()
    {
        var simulator = new TransactionSimulator(new SimulationOptions { Users = 5, Merchants = 40 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(simulator.Generate(0), Is.Empty);
            Assert.That(simulator.Generate(1).Count(), Is.EqualTo(1));
            Assert.That(simulator.Generate(3000).Count(), Is.EqualTo(3000));
        }
    }

    [Test]
    public void Every_scenario_appears_and_the_labelled_share_is_within_a_fifth_of_the_target()
    {
        var stream = DefaultStream.Value;
        var labelled = stream.Where(t => t.IsFraud).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(labelled.Select(t => t.Scenario).Distinct(), Is.EquivalentTo(FraudScenarios.All));
            Assert.That(labelled.Count / (double)stream.Count, Is.InRange(0.02 * 0.8, 0.02 * 1.2));
        }
    }

    [Test]
    public void Only_the_chosen_scenarios_are_played_at_the_chosen_share()
    {
        var options = new SimulationOptions { Users = 500, FraudShare = 0.05, Scenarios = [FraudScenarios.CardTesting, FraudScenarios.AmountSpike] };

        var labels = new TransactionSimulator(options).Generate(50_000).Where(t => t.IsFraud).Select(t => t.Scenario).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(labels.Distinct(), Is.EquivalentTo(options.Scenarios));
            Assert.That(labels.Count / 50_000.0, Is.InRange(0.05 * 0.8, 0.05 * 1.2));
        }
    }

    [Test]
    public void A_fraud_share_of_zero_labels_nothing()
    {
        var stream = new TransactionSimulator(new SimulationOptions { FraudShare = 0 }).Generate(40_000);

        Assert.That(stream.Count(t => t.IsFraud), Is.Zero);
    }

    [Test]
    public void Impossible_travel_needs_over_1000_kmh_and_no_legit_payment_needs_over_800()
    {
        var lastLegit = new Dictionary<string, Transaction>();
        var tooFastLegit = new List<string>();
        var plausibleImpossible = new List<string>();
        var impossible = 0;
        var longLegitMoves = 0;
        foreach (var (transaction, scenario) in DefaultStream.Value)
        {
            lastLegit.TryGetValue(transaction.UserId, out var previous);
            if (scenario is null)
            {
                if (previous is not null)
                {
                    tooFastLegit.AddRange(SpeedKmh(previous, transaction) > 800 ? [transaction.TransactionId] : []);
                    longLegitMoves += DistanceKm(previous, transaction) > 500 ? 1 : 0;
                }

                lastLegit[transaction.UserId] = transaction;
            }
            else if (scenario == FraudScenarios.ImpossibleTravel)
            {
                impossible++;
                plausibleImpossible.AddRange(previous is null || SpeedKmh(previous, transaction) <= 1000 ? [transaction.TransactionId] : []);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tooFastLegit, Is.Empty, "legit payments faster than 800 km/h from the user's previous one");
            Assert.That(plausibleImpossible, Is.Empty, "impossible travel reachable at 1000 km/h");
            Assert.That(impossible, Is.Positive);
            Assert.That(longLegitMoves, Is.Positive, "no legit trips, so the speed check proves little");
        }
    }

    [Test]
    public void Card_testing_probes_with_amounts_under_three_at_merchants_the_user_never_paid()
    {
        var merchantsPaid = new Dictionary<string, HashSet<string>>();
        var probes = 0;
        foreach (var (transaction, scenario) in DefaultStream.Value)
        {
            if (scenario == FraudScenarios.CardTesting)
            {
                probes++;
                Assert.That(transaction.Amount, Is.LessThan(3m));
                Assert.That(merchantsPaid.GetValueOrDefault(transaction.UserId) ?? [], Does.Not.Contain(transaction.MerchantId));
            }

            if (!merchantsPaid.TryGetValue(transaction.UserId, out var merchants))
            {
                merchantsPaid[transaction.UserId] = merchants = [];
            }

            merchants.Add(transaction.MerchantId);
        }

        Assert.That(probes, Is.Positive);
    }

    [Test]
    public void An_amount_spike_is_at_least_ten_times_the_users_median_so_far()
    {
        var legitAmounts = new Dictionary<(string User, string Currency), List<decimal>>();
        var spikes = 0;
        foreach (var (transaction, scenario) in DefaultStream.Value)
        {
            var key = (transaction.UserId, transaction.Currency);
            if (scenario == FraudScenarios.AmountSpike)
            {
                spikes++;
                Assert.That(legitAmounts.TryGetValue(key, out var history), Is.True, transaction.TransactionId);
                Assert.That(transaction.Amount, Is.GreaterThanOrEqualTo(10 * Median(history!)), transaction.TransactionId);
            }
            else if (scenario is null)
            {
                if (!legitAmounts.TryGetValue(key, out var amounts))
                {
                    legitAmounts[key] = amounts = [];
                }

                amounts.Add(transaction.Amount);
            }
        }

        Assert.That(spikes, Is.Positive);
    }

    [Test]
    public void Unusual_category_hour_is_at_night_local_time_in_a_category_the_user_never_used()
    {
        var categoriesUsed = new Dictionary<string, HashSet<string>>();
        var nightly = 0;
        foreach (var (transaction, scenario) in DefaultStream.Value)
        {
            if (scenario == FraudScenarios.UnusualCategoryHour)
            {
                nightly++;
                var localHour = (transaction.EventTime.UtcDateTime + TimeSpan.FromHours(transaction.Longitude / 15)).Hour;
                Assert.That(localHour, Is.InRange(1, 4), transaction.TransactionId);
                Assert.That(categoriesUsed.GetValueOrDefault(transaction.UserId) ?? [], Does.Not.Contain(transaction.MerchantCategory), transaction.TransactionId);

                // The episode's own payments share one category: only what came before the episode counts.
                continue;
            }

            if (!categoriesUsed.TryGetValue(transaction.UserId, out var categories))
            {
                categoriesUsed[transaction.UserId] = categories = [];
            }

            categories.Add(transaction.MerchantCategory);
        }

        Assert.That(nightly, Is.Positive);
    }

    [Test]
    public void Stolen_card_scenarios_use_a_device_the_user_never_used_and_the_others_the_users_own()
    {
        var devicesUsed = new Dictionary<string, HashSet<string>>();
        foreach (var (transaction, scenario) in DefaultStream.Value)
        {
            var known = devicesUsed.GetValueOrDefault(transaction.UserId) ?? [];
            if (scenario is null)
            {
                devicesUsed[transaction.UserId] = known;
                known.Add(transaction.DeviceId);
            }
            else if (StolenDeviceScenarios.Contains(scenario))
            {
                Assert.That(known, Does.Not.Contain(transaction.DeviceId), transaction.TransactionId);
            }
            else
            {
                Assert.That(known, Does.Contain(transaction.DeviceId), transaction.TransactionId);
            }
        }
    }

    [Test]
    public void The_default_options_are_valid()
    {
        Assert.That(new SimulationOptions().Validate(), Is.Empty);
    }

    [Test]
    public void Invalid_options_are_refused_with_a_message_naming_each_one()
    {
        var options = new SimulationOptions
        {
            Users = 0,
            Merchants = 3,
            FraudShare = 1.5,
            TransactionsPerUserPerDay = double.NaN,
            Scenarios = ["phishing"],
            WarmUpTransactionsPerUser = -1,
            Start = new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.Zero),
        };

        var errors = options.Validate();

        using (Assert.EnterMultipleScope())
        {
            foreach (var name in new[] { "Users", "Merchants", "FraudShare", "TransactionsPerUserPerDay", "Scenarios", "WarmUpTransactionsPerUser", "Start" })
            {
                Assert.That(errors, Has.One.StartsWith(name + " "), name);
            }

            Assert.That(errors, Does.Contain("FraudShare must be in [0, 1]"));
            Assert.That(() => new TransactionSimulator(options).Generate(10), Throws.ArgumentException.With.Message.Contains("FraudShare must be in [0, 1]"));
            Assert.That(() => new TransactionSimulator(new SimulationOptions()).Generate(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    private static List<string> EventIdsOf(SimulationOptions options, int count) =>
        [.. new TransactionSimulator(options).Generate(count).Select(t => t.Transaction.EventId)];

    private static decimal Median(List<decimal> amounts)
    {
        var sorted = amounts.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // Same-millisecond payments at the same spot need no speed; at different spots, an infinite one.
    private static double SpeedKmh(Transaction from, Transaction to)
    {
        var km = DistanceKm(from, to);
        var hours = (to.EventTime - from.EventTime).TotalHours;
        return hours > 0 ? km / hours : km < 0.001 ? 0 : double.PositiveInfinity;
    }

    private static double DistanceKm(Transaction from, Transaction to)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLatitude = Radians(to.Latitude - from.Latitude);
        var dLongitude = Radians(to.Longitude - from.Longitude);
        var a = Math.Pow(Math.Sin(dLatitude / 2), 2)
            + (Math.Cos(Radians(from.Latitude)) * Math.Cos(Radians(to.Latitude)) * Math.Pow(Math.Sin(dLongitude / 2), 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
