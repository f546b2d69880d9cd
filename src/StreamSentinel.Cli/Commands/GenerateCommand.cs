using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using StreamSentinel.Cli.Bench;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>generate results</c>: synthetic detection results (and poison) for the persistence fleet.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Valid results to produce.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Same seed, same results.", DefaultValueFactory = _ => 1 };
        var alertShare = new Option<double>("--alert-share") { Description = "Share of results at MEDIUM or above (0..1).", DefaultValueFactory = _ => 0.05 };
        var poison = new Option<int>("--poison") { Description = "Poison messages of every kind mixed in (cycling through the kinds).", DefaultValueFactory = _ => 0 };
        alertShare.Validators.Add(result =>
        {
            if (result.GetValue(alertShare) is < 0 or > 1)
            {
                result.AddError("--alert-share must be between 0 and 1.");
            }
        });
        var results = new Command("results", "Produce synthetic, valid detection results to fraud-detection-results, keyed by user, with an idempotent producer.")
        {
            count, seed, alertShare, poison,
        };
        results.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder => builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart(),
            services =>
            {
                var kafka = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaOptions>>().Value;
                var produced = ResultProducer.Produce(
                    kafka.BootstrapServers, $"{kafka.ClientIdPrefix}-generate", parse.GetValue(count), parse.GetValue(seed), parse.GetValue(alertShare), parse.GetValue(poison), CompressionType.Lz4,
                    services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category), cancellationToken);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"produced {produced.Results:N0} results ({produced.Alerts:N0} at MEDIUM or above) and {produced.Poison:N0} poison messages to {Topics.DetectionResults} in {produced.Elapsed.TotalSeconds:F1} s ({produced.Results / produced.Elapsed.TotalSeconds:N0}/s); {produced.Failures} failed"));
                return Task.FromResult(produced.Failures == 0 ? 0 : 1);
            }));
        return new Command("generate", "Generate synthetic traffic for testing and benchmarking.") { results };
    }
}
