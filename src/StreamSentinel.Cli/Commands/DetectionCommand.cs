using System.CommandLine;
using System.Globalization;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Detection.DependencyInjection;
using StreamSentinel.Detection.Diagnostics;
using StreamSentinel.Detection.Options;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run detection</c>: one member of the detection fleet.</summary>
internal static class DetectionCommand
{
    public static Command Create()
    {
        var instance = new Option<string?>("--instance") { Description = "This worker's name in logs and dead-letter headers (default: host-pid)." };
        var httpPort = new Option<int>("--http-port") { Description = "Port of /healthz, /readyz and /metrics on 127.0.0.1; 0 picks a free one (logged).", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Most transactions taken from what Kafka has fetched per batch (default 2000)." };
        var model = new Option<string?>("--model") { Description = "Model file written by `train` (default: the one shipped in models/)." };
        var command = new Command(
            "detection",
            "Consume transactions, keep the state of the users of the partitions it owns in memory (Redis as its changelog), score every transaction with the business rules and the model, "
            + "and publish one result per transaction to fraud-detection-results. Run several; they share the partitions as one consumer group.")
        {
            instance, httpPort, batchSize, model,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WebWorkerHost.CreateBuilder(parse.GetValue(httpPort), new Dictionary<string, string?>
            {
                [$"{DetectionOptions.SectionName}:{nameof(DetectionOptions.Instance)}"] = parse.GetValue(instance),
                [$"{DetectionOptions.SectionName}:{nameof(DetectionOptions.BatchSize)}"] = parse.GetValue(batchSize)?.ToString(CultureInfo.InvariantCulture),
                [$"{DetectionOptions.SectionName}:{nameof(DetectionOptions.ModelPath)}"] = parse.GetValue(model) is { } path ? Path.GetFullPath(path) : null,
            });
            try
            {
                builder.AddServiceDefaults(DetectionMetrics.MeterName, OperationalPublisher.MeterName).AddDetectionWorker();
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("Configuration is invalid: " + string.Join("; ", e.Failures));
                return WorkerHost.InvalidConfiguration;
            }

            return await WebWorkerHost.RunAsync(builder, cancellationToken);
        });
        return command;
    }
}
