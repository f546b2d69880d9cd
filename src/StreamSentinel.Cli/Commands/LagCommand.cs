using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Detection.Options;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>lag</c>: how far a fleet's consumer group is behind, per partition. Exit code 0 when it has caught up.</summary>
internal static class LagCommand
{
    public static Command Create()
    {
        var quiet = new Option<bool>("--total") { Description = "Print only the total lag." };
        var fleet = new Option<string>("--fleet") { Description = "Whose lag: persistence (results not yet stored) or detection (transactions not yet scored).", DefaultValueFactory = _ => "persistence" };
        fleet.AcceptOnlyFromAmong("persistence", "detection");
        var command = new Command("lag", "Show how many messages a fleet's consumer group has not yet committed, per partition; exit code 0 when none.")
        {
            quiet, fleet,
        };
        command.SetAction((parse, _) => WorkerHost.RunOneShotAsync(parse, 
            builder =>
            {
                builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
                builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName);
                builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.SectionName);
            },
            services =>
            {
                var (topic, group) = parse.GetValue(fleet) == "detection"
                    ? (Topics.Transactions, services.GetRequiredService<IOptions<DetectionOptions>>().Value.ConsumerGroup)
                    : (Topics.DetectionResults, services.GetRequiredService<IOptions<PersistenceOptions>>().Value.ConsumerGroup);
                var lag = ConsumerGroupLag.Read(services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers, topic, group, TimeSpan.FromSeconds(10), services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category));
                if (!parse.GetValue(quiet))
                {
                    foreach (var (partition, committed, end) in lag.Partitions)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lag.Topic}[{partition}]  committed {committed,10:N0}  end {end,10:N0}  lag {end - committed,10:N0}"));
                    }
                }

                Console.WriteLine(lag.Total.ToString(CultureInfo.InvariantCulture));
                return Task.FromResult(lag.Total == 0 ? 0 : 1);
            }));
        return command;
    }
}
