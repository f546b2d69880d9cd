using System.Globalization;

namespace StreamSentinel.Simulation;

/// <summary>The population, pace and fraud of a <see cref="TransactionSimulator"/> run; the defaults describe a small bank.</summary>
/// <remarks>Check with <see cref="Validate"/>; <see cref="TransactionSimulator.Generate"/> refuses invalid options with an <see cref="ArgumentException"/>.</remarks>
public sealed class SimulationOptions
{
    // The contract refuses event times before 2000 and from 2100 on (ContractValidation).
    internal static readonly DateTimeOffset LatestEventTime = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset EarliestStart = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // A year of margin leaves room for long runs; a run that would still reach 2100 is refused by Generate.
    private static readonly DateTimeOffset LatestStart = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Same seed (and other options), same sequence of transactions.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Number of cardholders.</summary>
    public int Users { get; set; } = 2000;

    /// <summary>Number of merchants; at least one per merchant category, so that every scenario finds what it needs.</summary>
    public int Merchants { get; set; } = 2000;

    /// <summary>Share of emitted transactions that are fraudulent, in [0, 1].</summary>
    /// <remarks>
    /// Reached within a few percent once users have warmed up. A user suffers one episode at a time and each scenario
    /// needs something the victim has not seen (a category, a merchant), so a small population or a share above about
    /// 0.2 may fall short of the target.
    /// </remarks>
    public double FraudShare { get; set; } = 0.02;

    /// <summary>Simulated time at which the run begins.</summary>
    public DateTimeOffset Start { get; set; } = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Average payments per cardholder per simulated day; sets the pace of simulated time.</summary>
    public double TransactionsPerUserPerDay { get; set; } = 4;

    /// <summary>The <see cref="FraudScenarios"/> to play, each equally likely per episode; a repeated name weighs double.</summary>
    public IReadOnlyList<string> Scenarios { get; set; } = FraudScenarios.All;

    /// <summary>A cardholder becomes a possible victim only after this many of their own payments, so that they have a history.</summary>
    public int WarmUpTransactionsPerUser { get; set; } = 15;

    /// <summary>What is wrong with these options, one message per problem naming the option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Users < 1)
        {
            errors.Add("Users must be at least 1");
        }

        if (Merchants < MerchantCategories.All.Count)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Merchants must be at least {MerchantCategories.All.Count} (one per merchant category)"));
        }

        if (!(FraudShare >= 0 && FraudShare <= 1))
        {
            errors.Add("FraudShare must be in [0, 1]");
        }

        if (!double.IsFinite(TransactionsPerUserPerDay) || TransactionsPerUserPerDay <= 0)
        {
            errors.Add("TransactionsPerUserPerDay must be a positive number");
        }

        if (WarmUpTransactionsPerUser < 0)
        {
            errors.Add("WarmUpTransactionsPerUser must not be negative");
        }

        if (Start < EarliestStart || Start >= LatestStart)
        {
            errors.Add("Start must be in [2000-01-01, 2099-01-01) so that event times stay within the contract");
        }

        if (Scenarios is null)
        {
            errors.Add("Scenarios must not be null");
        }
        else
        {
            foreach (var scenario in Scenarios.Where(s => !FraudScenarios.All.Contains(s)).Distinct())
            {
                errors.Add($"Scenarios holds '{scenario}', which is not one of {string.Join(", ", FraudScenarios.All)}");
            }

            if (Scenarios.Count == 0 && FraudShare > 0)
            {
                errors.Add("Scenarios must not be empty when FraudShare is above 0");
            }
        }

        return errors;
    }

    internal SimulationOptions Snapshot() => new()
    {
        Seed = Seed,
        Users = Users,
        Merchants = Merchants,
        FraudShare = FraudShare,
        Start = Start,
        TransactionsPerUserPerDay = TransactionsPerUserPerDay,
        Scenarios = [.. Scenarios],
        WarmUpTransactionsPerUser = WarmUpTransactionsPerUser,
    };
}
