using System.Diagnostics;
using System.Threading.Channels;
using Channel = System.Threading.Channels.Channel;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Tracing;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Accepted transactions on their way to Kafka: a bounded queue, so that a slow or absent broker turns into 429s at
/// the door rather than into memory. A transaction is accepted exactly when it enters this queue.
/// </summary>
public sealed class IntakeBuffer(IOptions<GatewayOptions> options)
{
    private readonly Channel<AcceptedTransaction> _channel = Channel.CreateBounded<AcceptedTransaction>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private volatile bool _closed;

    public ChannelReader<AcceptedTransaction> Reader => _channel.Reader;

    public int Depth => _channel.Reader.Count;

    /// <summary>True once shutdown began: nothing more is accepted.</summary>
    public bool Closed => _closed;

    /// <summary>Queues the transaction; its publish span (a child of the request's) starts now and ends at Kafka's acknowledgement.</summary>
    public bool TryAccept(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (_closed)
        {
            return false;
        }

        var request = Activity.Current;
        var span = PipelineTracing.StartPublish(Topics.Transactions);
        // The span outlives the request: it must not become the current span of the rest of the request's work.
        Activity.Current = request;
        span?.SetTag("stream_sentinel.event_id", transaction.EventId);
        if (_channel.Writer.TryWrite(new AcceptedTransaction(transaction, span)))
        {
            return true;
        }

        span?.SetStatus(ActivityStatusCode.Error, "queue full");
        span?.Dispose();
        return false;
    }

    /// <summary>Accepts nothing more; what is queued still goes out.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}

/// <summary>A transaction in the queue, with the span of its way to Kafka (null when nothing records spans).</summary>
public sealed record AcceptedTransaction(Transaction Transaction, Activity? Span);
