using System.Text.Json.Serialization;
using StreamSentinel.Domain.Evaluation;
using StreamSentinel.Persistence.Verification;

namespace StreamSentinel.Cli.Commands;

/// <summary>JSON output of commands that offer <c>--json</c>. A metric with nothing to measure is NaN, written as "NaN".</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    WriteIndented = true)]
[JsonSerializable(typeof(EvaluationReport))]
[JsonSerializable(typeof(IntegrityReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
