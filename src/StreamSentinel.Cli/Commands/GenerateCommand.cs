using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Synthetic;
using StreamSentinel.Kafka;
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
        results.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(
            builder => builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart(),
            services => Task.FromResult(Produce(
                services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaOptions>>().Value,
                parse.GetValue(count),
                parse.GetValue(seed),
                parse.GetValue(alertShare),
                parse.GetValue(poison),
                cancellationToken))));
        return new Command("generate", "Generate synthetic traffic for testing and benchmarking.") { results };
    }

    private static int Produce(KafkaOptions kafka, int count, int seed, double alertShare, int poison, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            ClientId = $"{kafka.ClientIdPrefix}-generate",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 20,
            BatchSize = 1_000_000,
            // The development broker keeps ~5 MiB per partition: compression stretches that about threefold.
            CompressionType = CompressionType.Lz4,
        }).Build();
        var generator = new SyntheticResults(seed, alertShare, DateTimeOffset.UtcNow.AddHours(-1));
        var placement = new Random(seed ^ 0x5eed);
        var poisonAt = Enumerable.Range(0, poison).Select(_ => placement.NextInt64(count + 1)).Order().ToList();
        var failures = 0;
        var alerts = 0;
        var stopwatch = Stopwatch.StartNew();
        void Deliver(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failures);
            }
        }

        var nextPoison = 0;
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var result = generator.Next();
            alerts += result.Severity >= Contracts.Severity.Medium ? 1 : 0;
            while (nextPoison < poisonAt.Count && poisonAt[nextPoison] <= i)
            {
                var kind = PoisonMessages.Kinds[nextPoison % PoisonMessages.Kinds.Count];
                Send(producer, result.UserId, kind.Payload(result), Encoding.UTF8.GetBytes(kind.Kind), Deliver);
                nextPoison++;
            }

            Send(producer, result.UserId, JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult), null, Deliver);
        }

        producer.Flush(cancellationToken);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"produced {count:N0} results ({alerts:N0} at MEDIUM or above) and {nextPoison:N0} poison messages to {Topics.DetectionResults} in {stopwatch.Elapsed.TotalSeconds:F1} s ({count / stopwatch.Elapsed.TotalSeconds:N0}/s); {failures} failed"));
        return failures == 0 ? 0 : 1;
    }

    private static void Send(IProducer<string, byte[]> producer, string key, byte[] value, byte[]? poisonKind, Action<DeliveryReport<string, byte[]>> deliver)
    {
        var message = new Message<string, byte[]> { Key = key, Value = value };
        if (poisonKind is not null)
        {
            // For tests and verify: says which kind of poison this is. The worker does not read it.
            message.Headers = new Headers { { "ss-poison-kind", poisonKind } };
        }

        while (true)
        {
            try
            {
                producer.Produce(Topics.DetectionResults, message, deliver);
                return;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
