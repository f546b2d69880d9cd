using System.Text.Json.Serialization;

namespace StreamSentinel.Contracts.Serialization;

/// <summary>
/// Source-generated JSON for every message on the wire: snake_case names, enums as their upper-case names,
/// numbers strictly as numbers (a quoted amount is an error, not a guess).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(Transaction))]
[JsonSerializable(typeof(DetectionResult))]
[JsonSerializable(typeof(DetectionExplanation))]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(PerformanceSnapshot))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
