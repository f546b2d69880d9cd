using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Detection.DependencyInjection;
using StreamSentinel.Detection.Model;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Detection.State;
using StreamSentinel.Redis.UserState;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>train</c>: fits the fraud model on simulated traffic, with features computed exactly as the worker does.</summary>
internal static class TrainCommand
{
    public const int DefaultSeed = 7;

    public static Command Create()
    {
        var simulation = new SimulationOptionsBinder();
        simulation.Seed.DefaultValueFactory = _ => DefaultSeed;
        var count = new Option<long>("--count") { Description = "Simulated transactions to learn from.", DefaultValueFactory = _ => 300_000 };
        var output = new Option<FileInfo>("--out") { Description = "Model file to write (its metadata goes beside it, .json).", DefaultValueFactory = _ => new FileInfo(Path.Combine("models", "fraud-model.zip")) };
        var command = new Command(
            "train",
            "Simulate traffic, compute each transaction's features from user state exactly as the detection worker does "
            + "(in this process's memory), and train the gradient-boosted tree model (ML.NET FastTree) on them. Same seed and count, same model and version.")
        {
            count, output,
        };
        simulation.AddTo(command);
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder => builder.AddDetectionCore(withModel: false),
            services =>
            {
                if (simulation.Bind(parse) is not { } options)
                {
                    return Task.FromResult(WorkerHost.InvalidConfiguration);
                }

                var total = parse.GetValue(count);
                Console.WriteLine($"training on {total:N0} simulated transactions: {SimulationOptionsBinder.Describe(options)}");
                var rows = new List<ModelRow>((int)Math.Min(total, 10_000_000));
                var states = new UserStateTable(services.GetRequiredService<IOptions<UserStateOptions>>().Value.Limits());
                foreach (var simulated in new TransactionSimulator(options).Generate(total))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (states.Apply(simulated.Transaction) is { } state)
                    {
                        var features = FeatureCalculator.Compute(simulated.Transaction, state);
                        rows.Add(new ModelRow { Features = ModelFeatures.From(simulated.Transaction, features), Label = simulated.Scenario is not null });
                    }
                }

                var path = parse.GetValue(output)!.FullName;
                var metadata = ModelTrainer.Train(rows, options.Seed, path, TimeProvider.System);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"model {metadata.Name} {metadata.Version}: {metadata.Transactions:N0} transactions ({metadata.FraudTransactions:N0} fraud), hold-out AUC {metadata.HoldoutAuc:F4}"));
                Console.WriteLine($"written: {path} and {ModelMetadata.PathFor(path)}");
                return Task.FromResult(0);
            }));
        return command;
    }
}
