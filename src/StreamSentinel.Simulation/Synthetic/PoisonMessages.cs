using System.Text.Json.Nodes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Simulation.Synthetic;

/// <summary>Messages a persistence worker must refuse, one of every kind, each with the reason code it must give.</summary>
public static class PoisonMessages
{
    /// <summary>The kinds, in a fixed order: (name, expected reason code, payload built from a valid result).</summary>
    public static IReadOnlyList<(string Kind, string Reason, Func<DetectionResult, byte[]> Payload)> Kinds { get; } =
    [
        ("empty", "empty", _ => []),
        ("not_json", "malformed_json", _ => "this is not json"u8.ToArray()),
        ("truncated_json", "malformed_json", r => Json(r)[..40]),
        ("json_array", "malformed_json", _ => "[1,2,3]"u8.ToArray()),
        ("unknown_schema_version", "unsupported_schema_version", r => Mutate(r, n => n["schema_version"] = 99)),
        ("missing_schema_version", "unsupported_schema_version", r => Mutate(r, n => n.Remove("schema_version"))),
        ("score_above_one", "invalid_value", r => Mutate(r, n => n["fraud_score"] = 1.5)),
        ("score_negative", "invalid_value", r => Mutate(r, n => n["fraud_score"] = -0.2)),
        ("unknown_severity", "invalid_value", r => Mutate(r, n => n["severity"] = "SEVERE")),
        ("missing_user_id", "missing_field", r => Mutate(r, n => n.Remove("user_id"))),
        ("missing_transaction_id", "missing_field", r => Mutate(r, n => n.Remove("transaction_id"))),
        ("missing_transaction", "missing_field", r => Mutate(r, n => n.Remove("transaction"))),
        ("null_event_id", "missing_field", r => Mutate(r, n => n["event_id"] = null)),
        ("oversize", "oversize", r => Mutate(r, n => n["correlation_id"] = new string('x', 128 * 1024))),
        ("amount_as_text", "invalid_value", r => Mutate(r, n => n["transaction"]!["amount"] = "12.50")),
        ("bad_currency", "invalid_value", r => Mutate(r, n => n["transaction"]!["currency"] = "euro")),
        ("event_id_mismatch", "invalid_value", r => Mutate(r, n => n["transaction"]!["amount"] = 99999)),
        ("ids_disagree", "invalid_value", r => Mutate(r, n => n["user_id"] = "someone-else")),
        ("control_character_in_id", "invalid_value", r => Mutate(r, n => n["transaction_id"] = "txn\u0001")),
        ("latitude_out_of_range", "invalid_value", r => Mutate(r, n => n["transaction"]!["latitude"] = 123.4)),
    ];

    private static byte[] Json(DetectionResult result) => JsonMutation.Json(result, ContractsJsonContext.Default.DetectionResult);

    private static byte[] Mutate(DetectionResult result, Action<JsonObject> change) => JsonMutation.Mutate(result, ContractsJsonContext.Default.DetectionResult, change);
}
