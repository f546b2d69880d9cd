using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Contracts.Tests;

public sealed class MessageReaderTests
{
    private static readonly MessageReader<DetectionResult> Results = ContractReaders.DetectionResults(maxBytes: 4096);
    private static readonly MessageReader<Transaction> Transactions = ContractReaders.Transactions();

    [Test]
    public void Detection_result_round_trips_with_snake_case_names_and_upper_case_enums()
    {
        var original = Samples.Result();
        var json = JsonSerializer.SerializeToUtf8Bytes(original, ContractsJsonContext.Default.DetectionResult);

        var read = Results.TryRead(json, out var result, out var error);

        Assert.That(read, Is.True, () => error!.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(JsonSerializer.Serialize(result, ContractsJsonContext.Default.DetectionResult), Is.EqualTo(Encoding.UTF8.GetString(json)));
            Assert.That(result!.Severity, Is.EqualTo(Severity.High));
            Assert.That(result.BusinessRulesTriggered, Is.EqualTo(new[] { "velocity_burst", "new_device" }));
            Assert.That(result.Transaction, Is.EqualTo(original.Transaction));
            Assert.That(result.Features, Is.EqualTo(original.Features));
            Assert.That(result.Explanation.Items, Is.EqualTo(original.Explanation.Items));
            var node = JsonNode.Parse(json)!;
            Assert.That(node["severity"]!.GetValue<string>(), Is.EqualTo("HIGH"));
            Assert.That(node["fraud_score"]!.GetValue<double>(), Is.EqualTo(0.8731));
            Assert.That(node["features"]!["txn_count_1m"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(node["transaction"]!["channel"]!.GetValue<string>(), Is.EqualTo("ECOMMERCE"));
            Assert.That(node["schema_version"]!.GetValue<int>(), Is.EqualTo(1));
        }
    }

    [Test]
    public void Transaction_round_trips()
    {
        var original = Samples.Transaction() with { IngestedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 8, TimeSpan.Zero) };
        var json = JsonSerializer.SerializeToUtf8Bytes(original, ContractsJsonContext.Default.Transaction);

        Assert.That(Transactions.TryRead(json, out var transaction, out var error), Is.True, () => error!.ToString());
        Assert.That(transaction, Is.EqualTo(original));
    }

    [Test]
    public void Ingested_at_is_optional_and_left_out_when_absent()
    {
        var json = JsonSerializer.Serialize(Samples.Transaction(), ContractsJsonContext.Default.Transaction);

        Assert.That(json, Does.Not.Contain("ingested_at"));
        Assert.That(Transactions.TryRead(Encoding.UTF8.GetBytes(json), out _, out _), Is.True);
    }

    [Test]
    public void Empty_payload() => AssertRefused([], MessageErrorKind.Empty, "no bytes");

    [Test]
    public void Oversize_payload_is_refused_before_parsing() =>
        AssertRefused(Encoding.UTF8.GetBytes("{\"x\":\"" + new string('a', 5000) + "\"}"), MessageErrorKind.Oversize, "exceeds the limit of 4096");

    [TestCase("not json at all")]
    [TestCase("{\"schema_version\": 1,")]
    [TestCase("{\"schema_version\": 1} trailing")]
    [TestCase("\u00ff\u00fe")]
    public void Malformed_json(string payload) => AssertRefused(Encoding.UTF8.GetBytes(payload), MessageErrorKind.MalformedJson, "not well-formed JSON");

    [TestCase("[1, 2, 3]")]
    [TestCase("\"a string\"")]
    [TestCase("null")]
    public void Json_that_is_not_an_object(string payload) => AssertRefused(Encoding.UTF8.GetBytes(payload), MessageErrorKind.MalformedJson, "not a JSON object");

    [Test]
    public void Missing_schema_version() =>
        AssertRefused(Mutate(node => node.Remove("schema_version")), MessageErrorKind.UnsupportedSchemaVersion, "must be present");

    [Test]
    public void Schema_version_as_a_string() =>
        AssertRefused(Mutate(node => node["schema_version"] = "1"), MessageErrorKind.UnsupportedSchemaVersion, "must be present as an integer");

    [Test]
    public void Unknown_schema_version() =>
        AssertRefused(Mutate(node => node["schema_version"] = 99), MessageErrorKind.UnsupportedSchemaVersion, "schema_version 99 is not supported");

    [TestCase("user_id")]
    [TestCase("event_id")]
    [TestCase("fraud_score")]
    [TestCase("severity")]
    [TestCase("transaction")]
    public void Missing_top_level_field(string field) =>
        AssertRefused(Mutate(node => node.Remove(field)), MessageErrorKind.MissingField, $"'{field}' is required");

    [TestCase("amount")]
    [TestCase("event_time")]
    [TestCase("merchant_category")]
    public void Missing_field_of_the_nested_transaction(string field) =>
        AssertRefused(Mutate(node => node["transaction"]!.AsObject().Remove(field)), MessageErrorKind.MissingField, $"'transaction.{field}' is required");

    [Test]
    public void Null_or_blank_id_counts_as_missing()
    {
        AssertRefused(Mutate(node => node["user_id"] = null), MessageErrorKind.MissingField, "'user_id' is required");
        AssertRefused(Mutate(node => node["transaction_id"] = "  "), MessageErrorKind.MissingField, "'transaction_id' is required");
    }

    [TestCase(1.5)]
    [TestCase(-0.01)]
    public void Score_outside_zero_to_one(double score) =>
        AssertRefused(Mutate(node => node["fraud_score"] = score), MessageErrorKind.InvalidValue, "'fraud_score' is");

    [TestCase("user\u001f42")]
    [TestCase("\u0000user")]
    [TestCase("user\u007f")]
    [TestCase("user\u009f42")]
    public void Control_character_in_an_id_is_refused(string userId) =>
        AssertRefused(Mutate(node => node["user_id"] = userId), MessageErrorKind.InvalidValue, "'user_id' contains a control character");

    [Test]
    public void Characters_next_to_the_control_ranges_are_not_control_characters()
    {
        // U+0020 and U+00A0 border the two ranges of char.IsControl (U+0000..U+001F, U+007F..U+009F).
        var transaction = (Samples.Transaction() with { UserId = "user 42\u00a0~" }).WithEventId();

        Assert.That(ContractValidation.Validate(transaction), Is.Null);
    }

    [Test]
    public void Upper_case_event_id_is_refused() =>
        AssertRefused(Mutate(node => node["event_id"] = node["event_id"]!.GetValue<string>().ToUpperInvariant()), MessageErrorKind.InvalidValue, "'event_id' is not 64 lower-case hex digits");

    [TestCase("txn_count_1m", -1, "negative transaction count")]
    [TestCase("hour_of_day", 24, "outside 0..23")]
    [TestCase("amount_sum_24h", 1e15, "amount sum outside")]
    public void Features_the_stores_cannot_hold_are_refused(string feature, double value, string problem) =>
        AssertRefused(Mutate(node => node["features"]![feature] = value), MessageErrorKind.InvalidValue, problem);

    [Test]
    public void Null_explanation_parts_are_refused()
    {
        AssertRefused(Mutate(node => node["explanation"]!["summary"] = null), MessageErrorKind.InvalidValue, "'explanation' has a null");
        AssertRefused(Mutate(node => node["explanation"]!["items"] = new JsonArray((JsonNode?)null)), MessageErrorKind.InvalidValue, "'explanation' has a null");
        AssertRefused(Mutate(node => node["correlation_id"] = null), MessageErrorKind.MissingField, "'correlation_id' is required");
    }

    [Test]
    public void Unknown_severity_names_the_field() =>
        AssertRefused(Mutate(node => node["severity"] = "SEVERE"), MessageErrorKind.InvalidValue, "'severity' has a value of the wrong type");

    [Test]
    public void Severity_given_as_an_undefined_number() =>
        AssertRefused(Mutate(node => node["severity"] = 9), MessageErrorKind.InvalidValue, "not one of MINIMAL, LOW, MEDIUM, HIGH, CRITICAL");

    [Test]
    public void Amount_as_a_string_is_not_guessed() =>
        AssertRefused(Mutate(node => node["transaction"]!["amount"] = "12.5"), MessageErrorKind.InvalidValue, "'transaction.amount' has a value of the wrong type");

    [Test]
    public void Negative_amount() =>
        AssertRefused(Mutate(node => node["transaction"]!["amount"] = -1), MessageErrorKind.InvalidValue, "'transaction.amount' is -1");

    [Test]
    public void Event_id_that_does_not_match_the_identifying_fields()
    {
        var tampered = Samples.Transaction() with { Amount = 999m };
        var json = JsonSerializer.SerializeToUtf8Bytes(tampered, ContractsJsonContext.Default.Transaction);

        Assert.That(Transactions.TryRead(json, out _, out var error), Is.False);
        Assert.That(error!.Kind, Is.EqualTo(MessageErrorKind.InvalidValue));
        Assert.That(error.Detail, Does.Contain("'event_id' does not match"));
    }

    [Test]
    public void Result_and_its_transaction_must_name_the_same_ids() =>
        AssertRefused(Mutate(node => node["user_id"] = "someone-else"), MessageErrorKind.InvalidValue, "'transaction' does not carry the same");

    [TestCase("currency", "euro", "is 'euro', not an ISO 4217 code")]
    [TestCase("country", "fr", "is 'fr', not an ISO 3166 alpha-2 code")]
    [TestCase("merchant_category", "54a1", "is '54a1', not a four-digit MCC")]
    [TestCase("channel", "CARRIER_PIGEON", "has a value of the wrong type")]
    public void Invalid_transaction_field(string field, string value, string problem) =>
        AssertRefused(Mutate(node => node["transaction"]![field] = value), MessageErrorKind.InvalidValue, $"'transaction.{field}' " + problem);

    [TestCase(91.0)]
    [TestCase(-90.5)]
    public void Latitude_out_of_range(double latitude) =>
        AssertRefused(Mutate(node => node["transaction"]!["latitude"] = latitude), MessageErrorKind.InvalidValue, "'transaction.latitude'");

    [Test]
    public void Error_codes_are_stable_for_headers_and_metrics()
    {
        Assert.That(
            Enum.GetValues<MessageErrorKind>().Select(kind => new MessageError(kind, "x").Code),
            Is.EqualTo(new[] { "empty", "oversize", "malformed_json", "unsupported_schema_version", "missing_field", "invalid_value", "card_number" }));
    }

    private static byte[] Mutate(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(Samples.Result(), ContractsJsonContext.Default.DetectionResult))!.AsObject();
        change(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static void AssertRefused(byte[] payload, MessageErrorKind kind, string detail)
    {
        var read = Results.TryRead(payload, out var result, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.False);
            Assert.That(result, Is.Null);
            Assert.That(error?.Kind, Is.EqualTo(kind), () => $"got {error}");
            Assert.That(error?.Detail, Does.Contain(detail));
        }
    }
}
