using System.Buffers;
using System.Buffers.Binary;

namespace StreamSentinel.Domain.Detection.State;

/// <summary>Little-endian fixed-width fields into a buffer: the user state's stored form.</summary>
internal ref struct StateWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output;

    public readonly void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    public readonly void WriteInt(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public readonly void WriteLong(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public readonly void WriteULong(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public readonly void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }
}
