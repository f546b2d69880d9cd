using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace StreamSentinel.Domain.Detection.State;

/// <summary>
/// Identifiers (devices, merchants, countries, event ids) as 64-bit XxHash3 values: the state keeps 8 bytes per
/// identifier, whatever a client sends. The hash is seedless and stable across processes and versions, because it is
/// part of the state's stored form.
/// </summary>
public static class StateKeys
{
    public static ulong Of(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, buffer);
            return XxHash3.HashToUInt64(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
