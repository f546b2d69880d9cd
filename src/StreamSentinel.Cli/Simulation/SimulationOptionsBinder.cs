using System.CommandLine;
using System.Globalization;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Simulation;

/// <summary>The simulator's switches, shared by <c>simulate</c>, <c>train</c> and <c>evaluate</c>.</summary>
internal sealed class SimulationOptionsBinder
{
    public Option<int> Seed { get; } = new("--seed") { Description = "Same seed, same stream.", DefaultValueFactory = _ => 42 };

    public Option<int> Users { get; } = new("--users") { Description = "Cardholders in the simulated bank.", DefaultValueFactory = _ => 2000 };

    public Option<double> FraudShare { get; } = new("--fraud-share") { Description = "Share of transactions that are fraud (0..1).", DefaultValueFactory = _ => 0.02 };

    public Option<DateTimeOffset?> Start { get; } = new("--start") { Description = "Simulated time of the first transaction, ISO 8601 (default 2026-11-01T00:00:00Z)." };

    public Option<string[]> Scenarios { get; } = new("--scenario")
    {
        Description = $"Fraud scenarios to play (repeat the switch; default all: {string.Join(", ", FraudScenarios.All)}).",
        AllowMultipleArgumentsPerToken = true,
    };

    public IEnumerable<Option> All => [Seed, Users, FraudShare, Start, Scenarios];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            var unknown = (result.GetValue(Scenarios) ?? []).Except(FraudScenarios.All).ToList();
            if (unknown.Count > 0)
            {
                result.AddError($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", FraudScenarios.All)}.");
            }
        });
    }

    /// <summary>The options the switches describe, or null after printing what is wrong with them.</summary>
    public SimulationOptions? Bind(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var options = Bind(parse.GetValue(Seed), parse.GetValue(Users), parse.GetValue(FraudShare), parse.GetValue(Start), parse.GetValue(Scenarios));
        var errors = options.Validate();
        if (errors.Count == 0)
        {
            return options;
        }

        Console.Error.WriteLine("Invalid simulation: " + string.Join("; ", errors.Select(ToSwitchNames)));
        return null;
    }

    private static SimulationOptions Bind(int seed, int users, double fraudShare, DateTimeOffset? start, string[]? scenarios)
    {
        var options = new SimulationOptions { Seed = seed, Users = users, FraudShare = fraudShare };
        if (start is { } at)
        {
            options.Start = at;
        }

        if (scenarios is { Length: > 0 })
        {
            options.Scenarios = scenarios;
        }

        return options;
    }

    // The simulator names its properties; a user typed switches.
    private static string ToSwitchNames(string error) => error
        .Replace("FraudShare", "--fraud-share", StringComparison.Ordinal)
        .Replace("Users", "--users", StringComparison.Ordinal)
        .Replace("Start", "--start", StringComparison.Ordinal)
        .Replace("Scenarios", "--scenario", StringComparison.Ordinal);

    public static string Describe(SimulationOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"seed {options.Seed}, {options.Users:N0} users, fraud share {options.FraudShare:P1}, start {options.Start:yyyy-MM-ddTHH:mm:ssZ}, scenarios {string.Join(",", options.Scenarios)}");
}
