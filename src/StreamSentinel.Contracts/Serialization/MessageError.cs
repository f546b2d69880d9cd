namespace StreamSentinel.Contracts.Serialization;

/// <summary>A typed reason for refusing a message; <see cref="Detail"/> names the field and the offending value.</summary>
/// <param name="Kind">What kind of problem it is.</param>
/// <param name="Detail">What exactly is wrong, naming the field and the value.</param>
/// <param name="Field">The JSON path of the field at fault (e.g. <c>amount</c>), when one field is.</param>
public sealed record MessageError(MessageErrorKind Kind, string Detail, string? Field = null)
{
    /// <summary>A stable, snake_case code, e.g. <c>missing_field</c>: safe for headers and metric tags.</summary>
    public string Code => Kind switch
    {
        MessageErrorKind.Empty => "empty",
        MessageErrorKind.Oversize => "oversize",
        MessageErrorKind.MalformedJson => "malformed_json",
        MessageErrorKind.UnsupportedSchemaVersion => "unsupported_schema_version",
        MessageErrorKind.MissingField => "missing_field",
        MessageErrorKind.InvalidValue => "invalid_value",
        MessageErrorKind.CardNumber => "card_number",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    public override string ToString() => $"{Code}: {Detail}";

    internal static MessageError Missing(string field) => new(MessageErrorKind.MissingField, $"'{field}' is required", field);

    // Never the value: the point is that it must not be copied anywhere.
    internal static MessageError CardNumber(string field) =>
        new(MessageErrorKind.CardNumber, $"'{field}' looks like a card number (13-19 digits passing the Luhn check); send a token or reference, never the number", field);

    internal static MessageError Invalid(string field, string problem) => new(MessageErrorKind.InvalidValue, $"'{field}' {problem}", field);
}
