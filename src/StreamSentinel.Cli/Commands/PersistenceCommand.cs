using System.CommandLine;
using System.Globalization;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Persistence.DependencyInjection;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run persistence</c>: one member of the persistence fleet.</summary>
internal static class PersistenceCommand
{
    public static Command Create()
    {
        var instance = new Option<string?>("--instance") { Description = "This worker's name in logs, audit entries and dead-letter headers (default: host-pid)." };
        var httpPort = new Option<int>("--http-port") { Description = "Port of /healthz, /readyz and /metrics on 127.0.0.1; 0 picks a free one (logged).", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Results per batch (default 5000)." };
        var batchWait = new Option<int?>("--batch-wait-ms") { Description = "Longest wait for a batch to fill, in ms (default 500)." };
        var command = new Command(
            "persistence",
            "Consume fraud-detection-results in batches and write them exactly once: alerts (MEDIUM and above) to PostgreSQL, "
            + "every result to ClickHouse. Run as many as there are partitions; they share the work as one consumer group.")
        {
            instance, httpPort, batchSize, batchWait,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WebWorkerHost.CreateBuilder(parse.GetValue(httpPort), new Dictionary<string, string?>
            {
                [$"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.Instance)}"] = parse.GetValue(instance),
                [$"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.BatchSize)}"] = parse.GetValue(batchSize)?.ToString(CultureInfo.InvariantCulture),
                [$"{PersistenceOptions.SectionName}:{nameof(PersistenceOptions.BatchWaitMs)}"] = parse.GetValue(batchWait)?.ToString(CultureInfo.InvariantCulture),
            });
            try
            {
                builder.AddServiceDefaults(PersistenceMetrics.MeterName, OperationalPublisher.MeterName).AddPersistenceWorker();
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
