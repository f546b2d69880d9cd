using System.CommandLine;
using System.Globalization;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Kafka.Development;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run broker</c>: the Kafka development broker (librdkafka's mock cluster) for machines without Kafka.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var bootstrapFile = new Option<FileInfo?>("--bootstrap-file")
        {
            Description = "Write the bootstrap servers to this file (atomically) once the topics exist.",
        };
        var partitions = new Option<int?>("--partitions")
        {
            Description = "Partitions of 'transactions' and 'fraud-detection-results' (default 12).",
        };
        var brokers = new Option<int?>("--brokers") { Description = "Number of mock brokers (default 3)." };
        var command = new Command(
            "broker",
            "Kafka development broker: librdkafka's in-memory mock cluster with the pipeline's topics. "
            + "Not Kafka: data is lost when it stops, each partition keeps ~5 MiB. Use a real Kafka in production.")
        {
            bootstrapFile, partitions, brokers,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WorkerHost.CreateBuilder(new Dictionary<string, string?>
            {
                [$"{DevelopmentBrokerOptions.SectionName}:{nameof(DevelopmentBrokerOptions.BootstrapFile)}"] = parse.GetValue(bootstrapFile)?.FullName,
                [$"{DevelopmentBrokerOptions.SectionName}:{nameof(DevelopmentBrokerOptions.PipelinePartitions)}"] = Format(parse.GetValue(partitions)),
                [$"{DevelopmentBrokerOptions.SectionName}:{nameof(DevelopmentBrokerOptions.Brokers)}"] = Format(parse.GetValue(brokers)),
            });
            builder.Services.AddOptions<DevelopmentBrokerOptions>()
                .BindConfiguration(DevelopmentBrokerOptions.SectionName)
                .ValidateDataAnnotations()
                .ValidateOnStart();
            builder.Services.AddHostedService<DevelopmentBrokerService>();
            return await WorkerHost.RunAsync(builder, cancellationToken);
        });
        return command;
    }

    private static string? Format(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}
