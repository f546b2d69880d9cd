using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StreamSentinel.ClickHouse.Persistence;

/// <summary>
/// Rows in ClickHouse's RowBinary format (little-endian values; strings and arrays prefixed by a LEB128 length),
/// written into one pooled array: a block of rows becomes one request body without boxing a value or allocating a
/// row. Return the array with <see cref="Dispose"/>.
/// </summary>
public sealed class RowBinaryBuffer : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public RowBinaryBuffer(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 4096));

    public int Length => _length;

    /// <summary>The rows written so far, as a read-only stream over the pooled array (valid until <see cref="Dispose"/>).</summary>
    public MemoryStream AsStream() => new(_buffer, 0, _length, writable: false);

    public void WriteUInt8(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteInt8(sbyte value) => WriteUInt8(unchecked((byte)value));

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt32(int value) => WriteUInt32(unchecked((uint)value));

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteFloat64(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>LEB128, as ClickHouse's VarUInt: the length of a string or an array.</summary>
    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)bytes);
        Ensure(bytes);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>A string already in UTF-8 (e.g. JSON serialized straight to bytes).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        Ensure(utf8.Length);
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
    }

    /// <summary>FixedString(<paramref name="size"/>): the UTF-8 bytes padded with zeros; longer values are refused, as the server would.</summary>
    public void WriteFixedString(string value, int size)
    {
        ArgumentNullException.ThrowIfNull(value);
        Ensure(Math.Max(size, Encoding.UTF8.GetMaxByteCount(value.Length)));
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        if (written > size)
        {
            throw new ArgumentException($"'{value}' does not fit FixedString({size}).", nameof(value));
        }

        _buffer.AsSpan(_length + written, size - written).Clear();
        _length += size;
    }

    /// <summary>DateTime: seconds since the epoch, UInt32 (whole seconds, as the column keeps them).</summary>
    public void WriteDateTime(DateTimeOffset value) => WriteUInt32(checked((uint)value.ToUnixTimeSeconds()));

    /// <summary>Decimal(P, <paramref name="scale"/>) with P ≤ 18: the value times 10^scale as Int64.</summary>
    public void WriteDecimal64(decimal value, int scale) => WriteInt64(decimal.ToInt64(decimal.Round(value * Pow10(scale), MidpointRounding.ToEven)));

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static decimal Pow10(int scale) => scale switch
    {
        0 => 1m,
        2 => 100m,
        4 => 10_000m,
        _ => (decimal)Math.Pow(10, scale),
    };

    private void Ensure(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
