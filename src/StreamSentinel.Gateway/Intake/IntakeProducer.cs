using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Hosting.Resilience;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Tracing;

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
    // librdkafka has already retried within message.timeout.ms: these are the gateway's own, rarer, attempts.
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxInFlight, options.Value.MaxInFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: the loop ends when the queue is closed and empty, which StopAsync arranges.
        await foreach (var accepted in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            await _inFlight.WaitAsync(CancellationToken.None);
            Send(accepted, attempt: 1);
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

    private void Send(AcceptedTransaction accepted, int attempt)
    {
        var started = Stopwatch.GetTimestamp();
        var transaction = accepted.Transaction;
        var headers = new Headers();
        PipelineTracing.Inject(accepted.Span, headers);
        headers.Add(MessageHeaders.Client, Encoding.UTF8.GetBytes(accepted.Client));
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(transaction.UserId),
            Value = JsonSerializer.SerializeToUtf8Bytes(transaction, ContractsJsonContext.Default.Transaction),
            Headers = headers,
        };
        while (true)
        {
            try
            {
                producer.Produce(Topics.Transactions, message, report => Delivered(report, accepted, attempt, started));
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(20));
            }
        }
    }

    private void Delivered(DeliveryReport<byte[]?, byte[]?> report, AcceptedTransaction accepted, int attempt, long started)
    {
        var transaction = accepted.Transaction;
        if (!report.Error.IsError)
        {
            metrics.Produced(Stopwatch.GetElapsedTime(started));
            accepted.Span?.SetTag("messaging.kafka.offset", report.Offset.Value);
            accepted.Span?.Dispose();
            _inFlight.Release();
            return;
        }

        accepted.Span?.AddEvent(new ActivityEvent("delivery failed", tags: new ActivityTagsCollection { ["error.type"] = report.Error.Code.ToString() }));

        // librdkafka has already retried within message.timeout.ms; try again, later, with jitter so that a
        // recovering broker is not met by every retry at once.
        metrics.ProduceRetried(report.Error.Code.ToString());
        var delay = (int)Backoff.DelayFor(attempt + 1).TotalMilliseconds;
        Log.DeliveryFailed(logger, transaction.EventId, attempt, report.Error.Reason, delay);
        _ = RetryAsync(accepted, attempt + 1, delay);
    }

    private async Task RetryAsync(AcceptedTransaction accepted, int attempt, int delayMs)
    {
        await Task.Delay(delayMs, CancellationToken.None);
        try
        {
            Send(accepted, attempt);
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            // The producer is gone (shutdown) or broken: the transaction stays counted in flight, so the drain
            // reports it as not acknowledged rather than losing it silently.
            Log.RetryFailed(logger, accepted.Transaction.EventId, e);
            accepted.Span?.SetStatus(ActivityStatusCode.Error, "not delivered");
            accepted.Span?.Dispose();
        }
    }

    public override void Dispose()
    {
        _inFlight.Dispose();
        base.Dispose();
    }
}
