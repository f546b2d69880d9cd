using System.Threading.Channels;
using Channel = System.Threading.Channels.Channel;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Accepted transactions on their way to Kafka: a bounded queue, so that a slow or absent broker turns into 429s at
/// the door rather than into memory. A transaction is accepted exactly when it enters this queue.
/// </summary>
public sealed class IntakeBuffer(IOptions<GatewayOptions> options)
{
    private readonly Channel<Transaction> _channel = Channel.CreateBounded<Transaction>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private volatile bool _closed;

    public ChannelReader<Transaction> Reader => _channel.Reader;

    public int Depth => _channel.Reader.Count;

    /// <summary>True once shutdown began: nothing more is accepted.</summary>
    public bool Closed => _closed;

    public bool TryAccept(Transaction transaction) => !_closed && _channel.Writer.TryWrite(transaction);

    /// <summary>Accepts nothing more; what is queued still goes out.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}
