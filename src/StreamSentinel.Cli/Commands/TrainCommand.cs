using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Detection.DependencyInjection;
using StreamSentinel.Detection.Evaluation;
using StreamSentinel.Detection.Model;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Simulation;
using StreamSentinel.Redis.UserState;

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
            "Simulate traffic, compute each transaction's features through Redis state as the detection worker does (in keys of its own, "
            + "deleted afterwards), and train the gradient-boosted tree model (ML.NET FastTree) on them. Same seed and count, same model and version.")
        {
            count, output,
        };
        simulation.AddTo(command);
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(
            builder => builder.AddDetectionCore(withModel: false),
            async services =>
            {
                if (simulation.Bind(parse) is not { } options)
                {
                    return WorkerHost.InvalidConfiguration;
                }

                var total = parse.GetValue(count);
                Console.WriteLine($"training on {total:N0} simulated transactions: {SimulationOptionsBinder.Describe(options)}");
                var rows = new List<ModelRow>((int)Math.Min(total, 10_000_000));
                await using (var scratch = new ScratchState(services.GetRequiredService<IConnectionMultiplexer>(), services.GetRequiredService<IOptions<UserStateOptions>>().Value))
                {
                    await foreach (var (simulated, state) in scratch.ApplyAsync(new TransactionSimulator(options).Generate(total), 2000, cancellationToken))
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
                return 0;
            }));
        return command;
    }
}
