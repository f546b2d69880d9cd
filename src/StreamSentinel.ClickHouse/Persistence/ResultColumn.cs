using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>
/// One column of a result table: its name, its ClickHouse type, and how a result gives its value, both boxed (for
/// text formats and tests) and written straight into a <see cref="RowBinaryBuffer"/> (the insert path).
/// </summary>
public sealed class ResultColumn
{
    private readonly Func<PersistableResult, object?> _value;
    private readonly Action<RowBinaryBuffer, PersistableResult> _write;

    private ResultColumn(string name, string type, Func<PersistableResult, object?> value, Action<RowBinaryBuffer, PersistableResult> write)
    {
        Name = name;
        Type = type;
        _value = value;
        _write = write;
    }

    public string Name { get; }

    public string Type { get; }

    public object? Value(PersistableResult result) => _value(result);

    public void Write(RowBinaryBuffer buffer, PersistableResult result) => _write(buffer, result);

    public static ResultColumn Text(string name, Func<PersistableResult, string> value) =>
        new(name, "String", r => value(r), (b, r) => b.WriteString(value(r)));

    public static ResultColumn FixedString(string name, int size, Func<PersistableResult, string> value) =>
        new(name, $"FixedString({size})", r => value(r), (b, r) => b.WriteFixedString(value(r), size));

    public static ResultColumn Decimal18x4(string name, Func<PersistableResult, decimal> value) =>
        new(name, "Decimal(18, 4)", r => value(r), (b, r) => b.WriteDecimal64(value(r), 4));

    public static ResultColumn DateTime(string name, Func<PersistableResult, DateTimeOffset> value) =>
        new(name, "DateTime", r => value(r).UtcDateTime, (b, r) => b.WriteDateTime(value(r)));

    public static ResultColumn NullableDateTime(string name, Func<PersistableResult, DateTimeOffset?> value) =>
        new(name, "Nullable(DateTime)", r => value(r)?.UtcDateTime, (b, r) =>
        {
            if (value(r) is { } time)
            {
                b.WriteUInt8(0);
                b.WriteDateTime(time);
            }
            else
            {
                b.WriteUInt8(1);
            }
        });

    public static ResultColumn Real64(string name, Func<PersistableResult, double> value) =>
        new(name, "Float64", r => value(r), (b, r) => b.WriteFloat64(value(r)));

    public static ResultColumn Unsigned8(string name, Func<PersistableResult, byte> value) =>
        new(name, "UInt8", r => value(r), (b, r) => b.WriteUInt8(value(r)));

    public static ResultColumn Unsigned32(string name, Func<PersistableResult, uint> value) =>
        new(name, "UInt32", r => value(r), (b, r) => b.WriteUInt32(value(r)));

    public static ResultColumn Signed32(string name, Func<PersistableResult, int> value) =>
        new(name, "Int32", r => value(r), (b, r) => b.WriteInt32(value(r)));

    public static ResultColumn Signed64(string name, Func<PersistableResult, long> value) =>
        new(name, "Int64", r => value(r), (b, r) => b.WriteInt64(value(r)));

    /// <summary>Enum8: the value's name for text formats, its code in RowBinary.</summary>
    public static ResultColumn Enum8(string name, string type, Func<PersistableResult, string> label, Func<PersistableResult, sbyte> code) =>
        new(name, type, r => label(r), (b, r) => b.WriteInt8(code(r)));

    public static ResultColumn StringArray(string name, Func<PersistableResult, IReadOnlyList<string>> value) =>
        new(name, "Array(String)", r => value(r).ToArray(), (b, r) =>
        {
            var items = value(r);
            b.WriteVarUInt((ulong)items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                b.WriteString(items[i]);
            }
        });

    /// <summary>A string column whose value is written as UTF-8 bytes straight into the buffer (JSON).</summary>
    public static ResultColumn Utf8(string name, Func<PersistableResult, string> text, Action<RowBinaryBuffer, PersistableResult> write) =>
        new(name, "String", r => text(r), write);
}
