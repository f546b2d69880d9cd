using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;

namespace StreamSentinel.AnalystConsole.LiveQueue;

/// <summary>
/// Fans what this console hears from PostgreSQL (<see cref="AlertNotificationListener"/>) out to its browsers, at most
/// <see cref="LiveQueueOptions.MaxConnections"/> of them: each open stream holds a connection and a buffer, so their
/// number is bounded rather than left to whoever opens tabs.
/// </summary>
public sealed class LiveQueueHub(IOptions<LiveQueueOptions> options, ConsoleMetrics metrics)
{
    private readonly Lock _lock = new();
    private readonly HashSet<LiveQueueSubscription> _subscribers = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>A place for one more browser, or null when <see cref="LiveQueueOptions.MaxConnections"/> are taken.</summary>
    public LiveQueueSubscription? TrySubscribe()
    {
        lock (_lock)
        {
            if (_subscribers.Count >= options.Value.MaxConnections)
            {
                metrics.LiveQueueRefused();
                return null;
            }

            var subscription = new LiveQueueSubscription(options.Value.BufferedEvents, Leave);
            _subscribers.Add(subscription);
            metrics.LiveQueueJoined();
            return subscription;
        }
    }

    public void Publish(LiveQueueEvent @event)
    {
        LiveQueueSubscription[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(@event);
        }
    }

    private void Leave(LiveQueueSubscription subscription)
    {
        lock (_lock)
        {
            if (_subscribers.Remove(subscription))
            {
                metrics.LiveQueueLeft();
            }
        }
    }
}
