using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamSentinel.Contracts.Serialization;

/// <summary>
/// Reads one message of type <typeparamref name="T"/> from UTF-8 JSON and never throws on bad input:
/// every refusal is a <see cref="MessageError"/> that a consumer loop can dead-letter and move past.
/// </summary>
/// <remarks>
/// Reading is three passes over a message of a few hundred bytes: a forward-only scan that proves the JSON is
/// well formed, finds <c>schema_version</c> and notes which required fields are present (no allocation);
/// the source-generated deserializer, whose only remaining failures are type mismatches; then the contract's
/// semantic checks. Splitting them is what lets each refusal say exactly what is wrong.
/// </remarks>
public sealed class MessageReader<T>
    where T : class
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly int[] _supportedVersions;
    private readonly RequiredField[] _required;
    // The required fields grouped by parent (index 0: top level, i + 1: under parent i), so a property name is
    // compared only with the names that can occur where it stands.
    private readonly RequiredField[][] _requiredByParent;
    private readonly byte[][] _parents;
    private readonly Func<T, MessageError?> _validate;

    private static readonly byte[] SchemaVersionName = "schema_version"u8.ToArray();

    /// <param name="typeInfo">The source-generated metadata for <typeparamref name="T"/>.</param>
    /// <param name="supportedVersions">Schema versions this build reads.</param>
    /// <param name="requiredFields">JSON paths that must be present: <c>name</c> or <c>parent.name</c> (one level of nesting).</param>
    /// <param name="validate">Semantic checks on the deserialized value; returns null when it is valid.</param>
    /// <param name="maxBytes">Larger payloads are refused as <see cref="MessageErrorKind.Oversize"/> without being parsed.</param>
    public MessageReader(
        JsonTypeInfo<T> typeInfo,
        IEnumerable<int> supportedVersions,
        IEnumerable<string> requiredFields,
        Func<T, MessageError?> validate,
        int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(requiredFields);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _typeInfo = typeInfo;
        _supportedVersions = [.. supportedVersions];
        _validate = validate;
        MaxBytes = maxBytes;

        var paths = requiredFields.ToArray();
        if (paths.Length > 64)
        {
            throw new ArgumentException("At most 64 required fields are supported.", nameof(requiredFields));
        }

        var parents = new List<string>();
        _required = new RequiredField[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            var dot = paths[i].IndexOf('.', StringComparison.Ordinal);
            var parent = -1;
            if (dot >= 0)
            {
                var parentName = paths[i][..dot];
                parent = parents.IndexOf(parentName);
                if (parent < 0)
                {
                    parents.Add(parentName);
                    parent = parents.Count - 1;
                }
            }

            _required[i] = new RequiredField(paths[i], Encoding.UTF8.GetBytes(paths[i][(dot + 1)..]), parent, 1UL << i);
        }

        _parents = [.. parents.Select(Encoding.UTF8.GetBytes)];
        _requiredByParent = [.. Enumerable.Range(-1, parents.Count + 1).Select(parent => _required.Where(r => r.Parent == parent).ToArray())];
    }

    /// <summary>The largest payload, in bytes, that will be parsed.</summary>
    public int MaxBytes { get; }

    public bool TryRead(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out MessageError? error)
    {
        value = null;
        error = Scan(utf8Json);
        if (error is not null)
        {
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize(utf8Json, _typeInfo);
        }
        catch (JsonException e)
        {
            // The scan proved the JSON well formed, so what is left is a value of the wrong type at e.Path.
            error = MessageError.Invalid(ToFieldName(e.Path), "has a value of the wrong type");
            return false;
        }

        if (value is null)
        {
            error = new MessageError(MessageErrorKind.MalformedJson, "the payload is JSON null");
            return false;
        }

        error = _validate(value);
        if (error is not null)
        {
            value = null;
            return false;
        }

        return true;
    }

    private MessageError? Scan(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return new MessageError(MessageErrorKind.Empty, "the payload has no bytes");
        }

        if (utf8Json.Length > MaxBytes)
        {
            return new MessageError(MessageErrorKind.Oversize, $"{utf8Json.Length} bytes exceeds the limit of {MaxBytes}");
        }

        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 16 });
        ulong seen = 0;
        var currentParent = -1;
        int? schemaVersion = null;
        var schemaVersionMalformed = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new MessageError(MessageErrorKind.MalformedJson, "the payload is not a JSON object");
            }

            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.CurrentDepth == 1)
                {
                    currentParent = IndexOf(_parents, ref reader);
                    seen |= Mark(ref reader, -1);
                    if (reader.ValueTextEquals(SchemaVersionName))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version))
                        {
                            schemaVersion = version;
                        }
                        else
                        {
                            schemaVersionMalformed = true;
                        }
                    }
                }
                else if (reader.CurrentDepth == 2 && currentParent >= 0)
                {
                    seen |= Mark(ref reader, currentParent);
                }
            }
        }
        catch (JsonException e)
        {
            return new MessageError(MessageErrorKind.MalformedJson, $"not well-formed JSON at byte {e.BytePositionInLine}: {FirstSentence(e.Message)}");
        }

        if (schemaVersionMalformed || schemaVersion is null)
        {
            return new MessageError(MessageErrorKind.UnsupportedSchemaVersion, "'schema_version' must be present as an integer", "schema_version");
        }

        if (Array.IndexOf(_supportedVersions, schemaVersion.Value) < 0)
        {
            return new MessageError(
                MessageErrorKind.UnsupportedSchemaVersion,
                $"schema_version {schemaVersion.Value} is not supported (this build reads {string.Join(", ", _supportedVersions)})",
                "schema_version");
        }

        for (var i = 0; i < _required.Length; i++)
        {
            if ((seen & (1UL << i)) == 0)
            {
                return MessageError.Missing(_required[i].Path);
            }
        }

        return null;
    }

    private ulong Mark(ref Utf8JsonReader reader, int parent)
    {
        foreach (var field in _requiredByParent[parent + 1])
        {
            if (reader.ValueTextEquals(field.Name))
            {
                return field.Bit;
            }
        }

        return 0;
    }

    private static int IndexOf(byte[][] names, ref Utf8JsonReader reader)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    // "$.transaction.amount" reads better as "transaction.amount".
    private static string ToFieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "(root)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private readonly record struct RequiredField(string Path, byte[] Name, int Parent, ulong Bit);
}
