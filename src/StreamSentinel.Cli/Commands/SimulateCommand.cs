using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Domain.Simulation;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>simulate</c>: realistic card traffic with labelled fraud scenarios, to the transactions topic.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var simulation = new SimulationOptionsBinder();
        var count = new Option<long?>("--count") { Description = "Transactions to produce (default 10,000, or rate x duration)." };
        var duration = new Option<double?>("--duration") { Description = "Seconds to keep producing at --rate (instead of --count)." };
        var rate = new Option<double>("--rate") { Description = "Transactions per second; 0 = as fast as possible.", DefaultValueFactory = _ => 0 };
        var labels = new Option<FileInfo?>("--labels") { Description = "CSV file for the ground truth (event_id, transaction_id, user_id, scenario); fraud rows only." };
        var command = new Command(
            "simulate",
            "Produce realistic card payments to the transactions topic, keyed by user (idempotent producer), with labelled fraud "
            + "scenarios injected. The labels never enter the messages; --labels writes them to a file.")
        {
            count, duration, rate, labels,
        };
        simulation.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(rate) < 0)
            {
                result.AddError("--rate must be 0 (as fast as possible) or positive.");
            }

            if (result.GetValue(duration) is { } seconds && (seconds <= 0 || result.GetValue(rate) <= 0 || result.GetValue(count) is not null))
            {
                result.AddError("--duration needs a positive --rate and no --count.");
            }

            if (result.GetValue(count) is < 0)
            {
                result.AddError("--count must not be negative.");
            }
        });
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(
            builder => builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart(),
            async services =>
            {
                var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
                if (simulation.Bind(parse) is not { } options)
                {
                    return WorkerHost.InvalidConfiguration;
                }

                var total = parse.GetValue(count) ?? (parse.GetValue(duration) is { } seconds ? (long)(seconds * parse.GetValue(rate)) : 10_000);
                Console.WriteLine($"simulating {total:N0} transactions: {SimulationOptionsBinder.Describe(options)}");
                var labelFile = parse.GetValue(labels);
                await using var writer = labelFile is null ? null : new StreamWriter(labelFile.FullName);
                var produced = await TransactionProducer.ProduceAsync(
                    kafka.BootstrapServers, $"{kafka.ClientIdPrefix}-simulate", new TransactionSimulator(options).Generate(total),
                    parse.GetValue(rate), writer, cancellationToken);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"produced {produced.Transactions:N0} transactions ({produced.Fraud:N0} fraud) to {Topics.Transactions} in {produced.Elapsed.TotalSeconds:F1} s ({produced.Transactions / Math.Max(produced.Elapsed.TotalSeconds, 0.001):N0}/s); {produced.Failures} failed"));
                if (labelFile is not null)
                {
                    Console.WriteLine($"labels: {labelFile.FullName}");
                }

                return produced.Failures == 0 ? 0 : 1;
            }));
        return command;
    }
}
