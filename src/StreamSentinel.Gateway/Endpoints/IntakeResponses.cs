using System.Text.Json.Serialization;

namespace StreamSentinel.Gateway.Endpoints;

/// <summary>A transaction the gateway accepted: it will reach Kafka, under this event id.</summary>
public sealed record IntakeAccepted(string EventId, string TransactionId, DateTimeOffset IngestedAt);

/// <summary>What became of one item of a batch: <c>accepted</c>, <c>rejected</c> (with its errors) or <c>throttled</c> (send it again later).</summary>
public sealed record BatchItemResult(int Index, string Status, string? EventId = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The answer to a batch: counts, then every item in the order sent.</summary>
public sealed record BatchResult(int Accepted, int Rejected, int Throttled, IReadOnlyList<BatchItemResult> Items);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IntakeAccepted))]
[JsonSerializable(typeof(BatchResult))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
