using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Contracts;
using StreamSentinel.Detection.DependencyInjection;
using StreamSentinel.Detection.Options;
using StreamSentinel.Detection.Pipeline;
using StreamSentinel.Domain.Detection.State;
using StreamSentinel.Domain.Evaluation;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Redis.UserState;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>evaluate</c>: detection quality per scenario on a fresh simulated run.</summary>
internal static class EvaluateCommand
{
    private const double GoalRecall = 0.9;
    private const double GoalPrecision = 0.8;

    public static Command Create()
    {
        var simulation = new SimulationOptionsBinder();
        simulation.Seed.DefaultValueFactory = _ => 1001;
        var count = new Option<long>("--count") { Description = "Simulated transactions to score.", DefaultValueFactory = _ => 100_000 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (for scripts)." };
        var model = new Option<FileInfo?>("--model") { Description = "Model file written by `train` (default: the one shipped in models/)." };
        var command = new Command(
            "evaluate",
            "Simulate a fresh run (use a seed never used for training), put every transaction through the detector exactly as the worker "
            + "does (user state, rules, model, thresholds), and report precision, recall and F1 per scenario and "
            + "overall, and the confusion matrix by severity. Alerts are results the routing sends to PostgreSQL (MEDIUM and above by default).")
        {
            count, json, model,
        };
        simulation.AddTo(command);
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder =>
            {
                builder.AddDetectionCore();
                builder.Services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
                builder.Services.AddSingleton<SeverityRouter>();
            },
            services =>
            {
                if (simulation.Bind(parse) is not { } options)
                {
                    return Task.FromResult(WorkerHost.InvalidConfiguration);
                }

                var detector = services.GetRequiredService<Detector>();
                var router = services.GetRequiredService<SeverityRouter>();
                var evaluator = new Evaluator(options.Scenarios.Distinct().ToList(), router.IsAlert);
                var states = new UserStateTable(services.GetRequiredService<IOptions<UserStateOptions>>().Value.Limits());
                var time = services.GetRequiredService<TimeProvider>();
                foreach (var simulated in new TransactionSimulator(options).Generate(parse.GetValue(count)))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (states.Apply(simulated.Transaction) is { } state)
                    {
                        evaluator.Add(simulated.Scenario, detector.Detect(simulated.Transaction, state, time.GetUtcNow()));
                    }
                }

                var alertSeverity = string.Join(",", Enum.GetValues<Severity>().Where(router.IsAlert).Select(SeverityNames.Of));
                var report = evaluator.Report(options.Seed, detector.ModelVersion, alertSeverity, GoalRecall, GoalPrecision);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.EvaluationReport));
                }
                else
                {
                    Print(report, options);
                }

                return Task.FromResult(0);
            },
            new Dictionary<string, string?>
            {
                [$"{DetectionOptions.SectionName}:{nameof(DetectionOptions.ModelPath)}"] = parse.GetValue(model)?.FullName,
            }));
        return command;
    }

    private static void Print(EvaluationReport report, SimulationOptions options)
    {
        AnsiConsole.WriteLine($"Evaluation: {report.Transactions:N0} transactions, {SimulationOptionsBinder.Describe(options)}; model {report.ModelVersion}; alerts = {report.AlertSeverity}");
        var quality = new Table().AddColumns("scenario", "labelled", "alerted", "recall", "alerts attributed", "of them fraud", "precision", "F1");
        foreach (var row in report.Scenarios.Append(report.ModelOnly).Append(report.Overall))
        {
            quality.AddRow(row.Scenario, N(row.Labelled), N(row.Detected), P(row.Recall), N(row.Attributed), N(row.AttributedFraud), P(row.Precision), P(row.F1));
        }

        AnsiConsole.Write(quality);
        var severities = Enum.GetValues<Severity>().Select(SeverityNames.Of).ToList();
        var confusion = new Table().AddColumn("label");
        foreach (var severity in severities)
        {
            confusion.AddColumn(severity);
        }

        foreach (var (label, counts) in report.Confusion)
        {
            confusion.AddRow([label, .. severities.Select(s => N(counts.TryGetValue(s, out var n) ? n : 0))]);
        }

        AnsiConsole.Write(confusion);
        AnsiConsole.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Goal (every scenario: recall >= {report.GoalRecall:F2} at precision >= {report.GoalPrecision:F2}): {(report.GoalMet ? "met" : "NOT met")}"));
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double value) => double.IsNaN(value) ? "-" : value.ToString("F3", CultureInfo.InvariantCulture);
}
