using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Per-client limits (issue 18): a token bucket of transactions per second and a cap on requests in progress, each
/// partitioned by the client's identity, so that one client flooding the gateway is throttled alone.
/// </summary>
public sealed class ClientLimits : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly PartitionedRateLimiter<string> _rate;
    private readonly PartitionedRateLimiter<string> _concurrency;

    public ClientLimits(IOptions<GatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        // Replenished ten times a second rather than once: a client at its rate is not made to wait a whole second.
        var perPeriod = Math.Max(1, (int)Math.Ceiling(settings.ClientRatePerSecond * Period.TotalSeconds));
        _rate = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.ClientBurst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = Period,
            AutoReplenishment = true,
            QueueLimit = 0,
        }));
        _concurrency = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.ClientMaxConcurrentRequests,
            QueueLimit = 0,
        }));
    }

    /// <summary>A request of <paramref name="client"/> in progress; dispose the lease when it ends. Not acquired: too many already.</summary>
    public RateLimitLease EnterRequest(string client) => _concurrency.AttemptAcquire(client);

    /// <summary>Takes one transaction's token from <paramref name="client"/>'s bucket; false when it is empty.</summary>
    public bool TakeToken(string client)
    {
        using var lease = _rate.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _rate.Dispose();
        _concurrency.Dispose();
    }
}
