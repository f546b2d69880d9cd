using System.Buffers.Binary;

namespace StreamSentinel.Domain.Detection.State;

/// <summary>Reads what <see cref="StateWriter"/> wrote; a short or inconsistent input is an <see cref="InvalidDataException"/>.</summary>
internal ref struct StateReader(ReadOnlySpan<byte> input)
{
    private ReadOnlySpan<byte> _input = input;

    public readonly bool End => _input.IsEmpty;

    public byte ReadByte() => Take(1)[0];

    public ulong ReadULong() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A stored user state has a variable-length number longer than 64 bits.");
    }

    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>A count of items that follow, checked against what the rest of the input and the caller allow.</summary>
    public int ReadCount(int max)
    {
        var raw = ReadVarUInt();
        var count = raw > int.MaxValue ? -1 : (int)raw;
        if (count < 0 || count > max || count > _input.Length)
        {
            throw new InvalidDataException($"A stored user state has a count of {count} where at most {Math.Min(max, _input.Length)} fits.");
        }

        return count;
    }

    private ReadOnlySpan<byte> Take(int bytes)
    {
        if (_input.Length < bytes)
        {
            throw new InvalidDataException("A stored user state ends early.");
        }

        var taken = _input[..bytes];
        _input = _input[bytes..];
        return taken;
    }
}
