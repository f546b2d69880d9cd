namespace StreamSentinel.Contracts.Serialization;

/// <summary>Why a message could not be read. Each kind has a stable code for dead-letter headers and metrics.</summary>
public enum MessageErrorKind
{
    /// <summary>The payload has no bytes (a tombstone or a bug in the producer).</summary>
    Empty,

    /// <summary>The payload is larger than the configured limit.</summary>
    Oversize,

    /// <summary>The payload is not a single well-formed JSON object.</summary>
    MalformedJson,

    /// <summary>The <c>schema_version</c> is absent, not a number, or one this build cannot read.</summary>
    UnsupportedSchemaVersion,

    /// <summary>A required field is absent, null or empty.</summary>
    MissingField,

    /// <summary>A field is present but its value is of the wrong type or out of range.</summary>
    InvalidValue,

    /// <summary>A field holds what looks like a card number (PAN) where only a token or reference may be (issue 18).</summary>
    CardNumber,
}
