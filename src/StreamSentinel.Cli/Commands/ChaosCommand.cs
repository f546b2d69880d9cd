using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.Cli.Chaos;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Hosting.Configuration;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>chaos</c>: the whole pipeline under crashes, rebalances and poison, judged by verify.</summary>
internal static class ChaosCommand
{
    /// <summary>Exit code when a scenario lost, duplicated or misrouted anything.</summary>
    public const int Failed = 4;

    private static readonly string[] AllScenarios = ["kill", "outage", "rebalance", "poison"];

    public static Command Create()
    {
        var transactions = new Option<long>("--transactions") { Description = "Transactions per scenario.", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<int?>("--seed") { Description = "Fixes traffic and disruptions, to replay a failure (default: random, printed)." };
        var scenarios = new Option<string[]>("--scenario") { Description = "Scenarios to run, in turn: kill, rebalance, poison (default all).", AllowMultipleArgumentsPerToken = true };
        var disruptions = new Option<int>("--disruptions") { Description = "kill -9s (kill) or joins and leaves (rebalance) per scenario.", DefaultValueFactory = _ => 20 };
        var outageSeconds = new Option<int>("--outage-seconds") { Description = "How long PostgreSQL, then ClickHouse, stays down in the outage scenario.", DefaultValueFactory = _ => 60 };
        var poison = new Option<int>("--poison") { Description = "Poison messages mixed into both input topics in the poison scenario.", DefaultValueFactory = _ => 10_000 };
        var command = new Command(
            "chaos",
            "Run the whole pipeline (two detection and two persistence workers on a broker, databases and Redis state of their own) through "
            + "each scenario: kill -9 of random workers (restarted at once), PostgreSQL then ClickHouse stopped under load (local stack only), a rebalance storm (workers joining and leaving every few seconds), "
            + "poison of every kind in both input topics. After each, verify must find nothing lost, duplicated or misrouted, every transaction "
            + "must have its result and every poison message its dead letter. Prints one row per scenario; exit code 4 if any is not clean.")
        {
            transactions, seed, scenarios, disruptions, poison, outageSeconds,
        };
        command.Validators.Add(result =>
        {
            var unknown = (result.GetValue(scenarios) ?? []).Except(AllScenarios).ToList();
            if (unknown.Count > 0)
            {
                result.AddError($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", AllScenarios)}.");
            }
        });
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, _ => { }, async services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var run = new ChaosRun(
                ConnectionStrings.Required(configuration, "Postgres"), ConnectionStrings.Required(configuration, "ClickHouse"),
                ConnectionStrings.Required(configuration, "Redis"), Console.Out,
                services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category))
            {
                OutageSeconds = parse.GetValue(outageSeconds),
                // Set by scripts/stream-sentinel when the servers are the local stack's, which chaos may stop and start.
                StackScript = Environment.GetEnvironmentVariable("SS_STACK_SCRIPT"),
            };
            var chosenSeed = parse.GetValue(seed) ?? Random.Shared.Next(1, 1_000_000);
            Console.WriteLine($"chaos seed {chosenSeed} (replay with --seed {chosenSeed})");
            var outcomes = new List<ChaosOutcome>();
            foreach (var scenario in parse.GetValue(scenarios) is { Length: > 0 } chosen ? chosen : AllScenarios)
            {
                if (scenario == "outage" && run.StackScript is null)
                {
                    Console.WriteLine("  outage: skipped (it stops the local stack's servers: run through scripts/stream-sentinel against scripts/stack.sh's servers)");
                    continue;
                }

                outcomes.Add(await run.RunAsync(
                    scenario, parse.GetValue(transactions), scenario is "poison" or "outage" ? 0 : parse.GetValue(disruptions),
                    scenario == "poison" ? parse.GetValue(poison) : 0, chosenSeed, cancellationToken));
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("scenario", "disruptions", "events", "lost", "duplicated", "misrouted", "time to recover", "");
            foreach (var o in outcomes)
            {
                table.AddRow(o.Scenario, N(o.Disruptions), N(o.Events), N(o.Lost), N(o.Duplicated), N(o.Misrouted),
                    string.Create(CultureInfo.InvariantCulture, $"{o.Recovery.TotalSeconds:F1} s"), o.Passed ? "ok" : "[red]FAILED[/]");
            }

            AnsiConsole.Write(table);
            var passed = outcomes.All(o => o.Passed);
            Console.WriteLine(passed ? "Chaos: OK (0 lost, 0 duplicated, 0 misrouted in every scenario)." : $"Chaos: FAILED (replay with --seed {chosenSeed}).");
            return passed ? 0 : Failed;
        }));
        return command;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
