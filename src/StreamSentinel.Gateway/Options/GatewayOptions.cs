using System.ComponentModel.DataAnnotations;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.Gateway.Options;

/// <summary>Settings of the ingestion gateway (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>Bearer tokens that may post transactions (<c>Gateway__Tokens__0</c>, ...). At least one, 16 characters or more.</summary>
    public IReadOnlyList<string> Tokens { get; set; } = [];

    /// <summary>Accepted transactions waiting for the producer. When it is full, requests get 429 with Retry-After.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Transactions handed to Kafka and not yet acknowledged. With the queue, it bounds the gateway's memory.</summary>
    [Range(1, 10_000_000)]
    public int MaxInFlight { get; set; } = 20_000;

    [Range(1, 100_000)]
    public int MaxBatchItems { get; set; } = 1000;

    /// <summary>Largest single transaction, in bytes.</summary>
    [Range(256, 1024 * 1024)]
    public int MaxItemBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Largest batch body, in bytes (413 past it). Batches are parsed as a stream, item by item; the limit bounds what
    /// one request holds as parsed transactions until the whole batch is known to be well-formed.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>An event time further than this in the future is refused: one future-dated payment disturbs a user's windows.</summary>
    [Range(0, 7 * 24 * 3600)]
    public int MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>Each client's sustained rate, in transactions per second (a token bucket; a batch takes one token per item).</summary>
    [Range(1, 10_000_000)]
    public int ClientRatePerSecond { get; set; } = 5000;

    /// <summary>Each client's burst: the token bucket's size, in transactions.</summary>
    [Range(1, 10_000_000)]
    public int ClientBurst { get; set; } = 10_000;

    /// <summary>Requests one client may have in progress at once; more get 429 at once.</summary>
    [Range(1, 100_000)]
    public int ClientMaxConcurrentRequests { get; set; } = 16;

    /// <summary>The share of <see cref="QueueCapacity"/> one client may hold, so that one client cannot starve the others (with a single token: the whole queue).</summary>
    [Range(0.01, 1.0)]
    public double ClientQueueShare { get; set; } = 0.5;

    /// <summary>How often refusals and throttling are summed up per client into the audit trail.</summary>
    [Range(1, 3600)]
    public int AuditIntervalSeconds { get; set; } = 10;

    /// <summary>What a throttled client is told to wait.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>This instance's name, in logs and the producer's client id.</summary>
    [Required]
    public string Instance { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tokens.Count == 0 || Tokens.Any(t => string.IsNullOrWhiteSpace(t) || t.Length < 16))
        {
            yield return new ValidationResult(
                "Gateway:Tokens needs at least one bearer token of 16 characters or more (environment: Gateway__Tokens__0).", [nameof(Tokens)]);
        }

        foreach (var (token, index) in Tokens.Select((t, i) => (t, i)).Where(pair => PlaceholderSecrets.IsPlaceholder(pair.t)))
        {
            yield return new ValidationResult(PlaceholderSecrets.Refusal($"Gateway:Tokens:{index}"), [nameof(Tokens)]);
        }
    }
}
