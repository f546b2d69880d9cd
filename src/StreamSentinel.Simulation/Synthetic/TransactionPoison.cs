using System.Text.Json.Nodes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Simulation.Synthetic;

/// <summary>Messages a detection worker must refuse (dead-letter with the reason), built from a valid transaction.</summary>
public static class TransactionPoison
{
    public static IReadOnlyList<(string Kind, string Reason, Func<Transaction, byte[]> Payload)> Kinds { get; } =
    [
        ("tx_empty", "empty", _ => []),
        ("tx_not_json", "malformed_json", _ => "card payment, honest"u8.ToArray()),
        ("tx_truncated_json", "malformed_json", t => Json(t)[..30]),
        ("tx_unknown_schema_version", "unsupported_schema_version", t => Mutate(t, n => n["schema_version"] = 42)),
        ("tx_missing_user_id", "missing_field", t => Mutate(t, n => n.Remove("user_id"))),
        ("tx_missing_event_time", "missing_field", t => Mutate(t, n => n.Remove("event_time"))),
        ("tx_negative_amount", "invalid_value", t => Mutate(t, n => n["amount"] = -5)),
        ("tx_lowercase_country", "invalid_value", t => Mutate(t, n => n["country"] = "fr")),
        ("tx_longitude_out_of_range", "invalid_value", t => Mutate(t, n => n["longitude"] = 200)),
        ("tx_wrong_event_id", "invalid_value", t => Mutate(t, n => n["event_id"] = new string('f', 64))),
        // A real card number (a Visa test PAN, grouped as printed) where a token belongs: refused, and masked in the DLQ.
        ("tx_card_number", "card_number", t => Mutate(t, n => n["card_id"] = "4111 1111 1111 1111")),
        ("tx_oversize", "oversize", t => Mutate(t, n => n["device_id"] = new string('d', 80 * 1024))),
    ];

    private static byte[] Json(Transaction transaction) => JsonMutation.Json(transaction, ContractsJsonContext.Default.Transaction);

    private static byte[] Mutate(Transaction transaction, Action<JsonObject> change) => JsonMutation.Mutate(transaction, ContractsJsonContext.Default.Transaction, change);
}
