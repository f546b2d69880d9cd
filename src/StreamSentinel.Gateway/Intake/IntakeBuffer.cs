using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
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
/// the door rather than into memory. A transaction is accepted exactly when it enters this queue. Each client may
/// hold at most <see cref="GatewayOptions.ClientQueueShare"/> of it (issue 18), so one client flooding the gateway
/// fills its own share and the others still get in.
/// </summary>
public sealed class IntakeBuffer
{
    private readonly Channel<AcceptedTransaction> _channel;
    private readonly ConcurrentDictionary<string, HeldCount> _held = new(StringComparer.Ordinal);
    private volatile bool _closed;

    public IntakeBuffer(IOptions<GatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<AcceptedTransaction>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // A gateway with one client has nobody to be fair to: that client may use the whole queue.
        ClientShare = options.Value.Tokens.Count <= 1
            ? options.Value.QueueCapacity
            : Math.Max(1, (int)(options.Value.QueueCapacity * options.Value.ClientQueueShare));
        Reader = new CountingReader(_channel.Reader, this);
    }

    /// <summary>What the producer reads; reading a transaction frees its place in its client's share.</summary>
    public ChannelReader<AcceptedTransaction> Reader { get; }

    public int Depth => _channel.Reader.Count;

    /// <summary>The most one client may hold in the queue.</summary>
    public int ClientShare { get; }

    /// <summary>True once shutdown began: nothing more is accepted.</summary>
    public bool Closed => _closed;

    /// <summary>Transactions of <paramref name="client"/> in the queue now.</summary>
    public int HeldBy(string client) => _held.TryGetValue(client, out var held) ? Volatile.Read(ref held.Count) : 0;

    /// <summary>Queues the transaction; its publish span (a child of the request's) starts now and ends at Kafka's acknowledgement.</summary>
    public IntakeOutcome TryAccept(Transaction transaction, string client)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(client);
        if (_closed)
        {
            return IntakeOutcome.Closed;
        }

        var held = _held.GetOrAdd(client, _ => new HeldCount());
        if (Interlocked.Increment(ref held.Count) > ClientShare)
        {
            Interlocked.Decrement(ref held.Count);
            return IntakeOutcome.ClientShareFull;
        }

        var request = Activity.Current;
        var span = PipelineTracing.StartPublish(Topics.Transactions);
        // The span outlives the request: it must not become the current span of the rest of the request's work.
        Activity.Current = request;
        span?.SetTag("stream_sentinel.event_id", transaction.EventId);
        if (_channel.Writer.TryWrite(new AcceptedTransaction(transaction, span, client)))
        {
            return IntakeOutcome.Accepted;
        }

        Interlocked.Decrement(ref held.Count);
        span?.SetStatus(ActivityStatusCode.Error, "queue full");
        span?.Dispose();
        return _closed ? IntakeOutcome.Closed : IntakeOutcome.QueueFull;
    }

    /// <summary>Accepts nothing more; what is queued still goes out.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }

    private void Taken(AcceptedTransaction accepted)
    {
        if (_held.TryGetValue(accepted.Client, out var held))
        {
            Interlocked.Decrement(ref held.Count);
        }
    }

    private sealed class HeldCount
    {
        public int Count;
    }

    /// <summary>The channel's reader, counting each transaction out of its client's share as the producer takes it.</summary>
    private sealed class CountingReader(ChannelReader<AcceptedTransaction> inner, IntakeBuffer owner) : ChannelReader<AcceptedTransaction>
    {
        public override Task Completion => inner.Completion;

        public override bool CanCount => inner.CanCount;

        public override int Count => inner.Count;

        public override bool TryRead([MaybeNullWhen(false)] out AcceptedTransaction item)
        {
            if (!inner.TryRead(out item))
            {
                return false;
            }

            owner.Taken(item);
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
    }
}

/// <summary>A transaction in the queue, with the span of its way to Kafka (null when nothing records spans) and the client that sent it.</summary>
public sealed record AcceptedTransaction(Transaction Transaction, Activity? Span, string Client);
