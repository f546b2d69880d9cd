using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Simulation;

/// <summary>Produces simulated transactions to <c>transactions</c>, keyed by user, at a steady rate or as fast as possible.</summary>
internal static class TransactionProducer
{
    public sealed record Produced(long Transactions, long Fraud, long Failures, TimeSpan Elapsed);

    // rate: transactions per second, 0 for as fast as the broker takes them. labels: where the ground truth goes
    // (CSV: event_id, transaction_id, user_id, scenario), or null.
    public static async Task<Produced> ProduceAsync(
        string bootstrapServers, string clientId, IEnumerable<SimulatedTransaction> stream, double rate, TextWriter? labels, ILogger kafkaLog, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        }).LogTo(kafkaLog).Build();
        long failures = 0;
        long count = 0;
        long fraud = 0;
        void Deliver(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failures);
            }
        }

        if (labels is not null)
        {
            await labels.WriteLineAsync("event_id,transaction_id,user_id,scenario".AsMemory(), cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        foreach (var simulated in stream)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (rate > 0)
            {
                // Pace against the clock, not per message: a late message is followed by the next at once.
                // The clock read once: read twice, it could pass the due time in between and give Task.Delay a negative wait.
                var wait = TimeSpan.FromSeconds(count / rate) - stopwatch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            // The simulator stands in for the intake here, so it stamps the ingest time as the gateway would.
            var transaction = simulated.Transaction with { IngestedAt = DateTimeOffset.UtcNow };
            Send(producer, transaction.UserId, JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction), Deliver);
            count++;
            if (simulated.Scenario is { } scenario)
            {
                fraud++;
                if (labels is not null)
                {
                    await labels.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{transaction.EventId},{transaction.TransactionId},{transaction.UserId},{scenario}").AsMemory(), cancellationToken);
                }
            }
        }

        producer.Flush(CancellationToken.None);
        return new Produced(count, fraud, Interlocked.Read(ref failures), stopwatch.Elapsed);
    }

    private static void Send(IProducer<string, byte[]> producer, string key, byte[] value, Action<DeliveryReport<string, byte[]>> deliver)
    {
        var message = new Message<string, byte[]> { Key = key, Value = value };
        while (true)
        {
            try
            {
                producer.Produce(Topics.Transactions, message, deliver);
                return;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
