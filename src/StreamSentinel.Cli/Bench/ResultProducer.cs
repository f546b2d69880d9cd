using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.Cli.Bench;

/// <summary>Produces synthetic results (and poison) to the results topic, keyed by user, with an idempotent producer.</summary>
internal static class ResultProducer
{
    public sealed record Produced(long Results, long Alerts, long Poison, long Failures, TimeSpan Elapsed);

    public static Produced Produce(
        string bootstrapServers, string clientId, int count, int seed, double alertShare, int poison, CompressionType compression, ILogger kafkaLog, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 20,
            BatchSize = 1_000_000,
            // The development broker keeps ~5 MiB per partition: compression stretches that severalfold.
            CompressionType = compression,
        }).LogTo(kafkaLog).Build();
        var generator = new SyntheticResults(seed, alertShare, DateTimeOffset.UtcNow.AddHours(-1));
        var placement = new Random(seed ^ 0x5eed);
        var poisonAt = Enumerable.Range(0, poison).Select(_ => placement.NextInt64(Math.Max(count, 1))).Order().ToList();
        long failures = 0;
        long alerts = 0;
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
            alerts += RoutingOptions.DefaultAlertSeverities.Contains(result.Severity) ? 1 : 0;
            while (nextPoison < poisonAt.Count && poisonAt[nextPoison] <= i)
            {
                var kind = PoisonMessages.Kinds[nextPoison % PoisonMessages.Kinds.Count];
                Send(producer, result.UserId, kind.Payload(result), Encoding.UTF8.GetBytes(kind.Kind), Deliver);
                nextPoison++;
            }

            Send(producer, result.UserId, JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult), null, Deliver);
        }

        // With fewer results than poison (or none: poison alone), the rest goes at the end, each built on a fresh result.
        for (; nextPoison < poisonAt.Count && !cancellationToken.IsCancellationRequested; nextPoison++)
        {
            var basis = generator.Next();
            var kind = PoisonMessages.Kinds[nextPoison % PoisonMessages.Kinds.Count];
            Send(producer, basis.UserId, kind.Payload(basis), Encoding.UTF8.GetBytes(kind.Kind), Deliver);
        }

        producer.Flush(cancellationToken);
        return new Produced(count, alerts, nextPoison, Interlocked.Read(ref failures), stopwatch.Elapsed);
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
