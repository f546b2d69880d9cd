using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Kafka;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Moves accepted transactions from the queue to <c>transactions</c>, keyed by user (idempotent producer, acks=all,
/// lz4). A delivery that fails is produced again after a jittered backoff, for as long as it takes: an accepted
/// transaction is never dropped. On SIGTERM the queue is closed, drained and flushed before the process exits.
/// </summary>
public sealed class IntakeProducer(
    IntakeBuffer queue, IProducer<byte[]?, byte[]?> producer, IOptions<GatewayOptions> options, GatewayMetrics metrics, ILogger<IntakeProducer> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxInFlight, options.Value.MaxInFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: the loop ends when the queue is closed and empty, which StopAsync arranges.
        await foreach (var transaction in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            await _inFlight.WaitAsync(CancellationToken.None);
            Send(transaction, attempt: 1);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        var started = Stopwatch.StartNew();
        if (ExecuteTask is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Every accepted transaction is either acknowledged or still being retried: wait for all of them.
        while (_inFlight.CurrentCount < options.Value.MaxInFlight && !cancellationToken.IsCancellationRequested)
        {
            producer.Flush(TimeSpan.FromMilliseconds(100));
        }

        var left = options.Value.MaxInFlight - _inFlight.CurrentCount + queue.Depth;
        Log.Drained(logger, started.Elapsed.TotalMilliseconds, left);
        if (left > 0)
        {
            // Accepted but not acknowledged when the shutdown timeout ran out (Kafka unreachable): say so loudly and
            // exit non-zero, so that an orchestrator and an SRE both see it.
            Log.LostOnShutdown(logger, left);
            Environment.ExitCode = 1;
        }
        await base.StopAsync(cancellationToken);
    }

    private void Send(Transaction transaction, int attempt)
    {
        var started = Stopwatch.GetTimestamp();
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(transaction.UserId),
            Value = JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction),
        };
        while (true)
        {
            try
            {
                producer.Produce(Topics.Transactions, message, report => Delivered(report, transaction, attempt, started));
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(20));
            }
        }
    }

    private void Delivered(DeliveryReport<byte[]?, byte[]?> report, Transaction transaction, int attempt, long started)
    {
        if (!report.Error.IsError)
        {
            metrics.Produced(Stopwatch.GetElapsedTime(started));
            _inFlight.Release();
            return;
        }

        // librdkafka has already retried within message.timeout.ms; try again, later, with jitter so that a
        // recovering broker is not met by every retry at once.
        metrics.ProduceRetried(report.Error.Code.ToString());
        var delay = Math.Min(30_000, 250 * (1 << Math.Min(attempt, 7)));
        Log.DeliveryFailed(logger, transaction.EventId, attempt, report.Error.Reason, delay);
        _ = RetryAsync(transaction, attempt + 1, (delay / 2) + Random.Shared.Next((delay / 2) + 1));
    }

    private async Task RetryAsync(Transaction transaction, int attempt, int delayMs)
    {
        await Task.Delay(delayMs, CancellationToken.None);
        try
        {
            Send(transaction, attempt);
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            // The producer is gone (shutdown) or broken: the transaction stays counted in flight, so the drain
            // reports it as not acknowledged rather than losing it silently.
            Log.RetryFailed(logger, transaction.EventId, e);
        }
    }

    public override void Dispose()
    {
        _inFlight.Dispose();
        base.Dispose();
    }
}
