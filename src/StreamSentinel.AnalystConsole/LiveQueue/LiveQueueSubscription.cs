using System.Threading.Channels;

namespace StreamSentinel.AnalystConsole.LiveQueue;

/// <summary>One browser's place in the live queue: the events waiting for it. Disposing it frees the place.</summary>
public sealed class LiveQueueSubscription : IDisposable
{
    private readonly Channel<LiveQueueEvent> _events;
    private readonly Action<LiveQueueSubscription> _leave;
    private int _overflowed;
    private int _disposed;

    internal LiveQueueSubscription(int capacity, Action<LiveQueueSubscription> leave)
    {
        _leave = leave;
        // A browser that does not read fast enough loses events rather than holding memory or the publisher; it is
        // told to reload (resync) once it catches up.
        _events = Channel.CreateBounded<LiveQueueEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Exchange(ref _overflowed, 1));
    }

    public ChannelReader<LiveQueueEvent> Events => _events.Reader;

    /// <summary>Whether events were dropped since the last call (and so the browser must reload).</summary>
    public bool TakeOverflow() => Interlocked.Exchange(ref _overflowed, 0) == 1;

    internal void Offer(LiveQueueEvent @event) => _events.Writer.TryWrite(@event);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _events.Writer.TryComplete();
            _leave(this);
        }
    }
}
