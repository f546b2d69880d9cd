using System.ComponentModel.DataAnnotations;

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
    }
}
