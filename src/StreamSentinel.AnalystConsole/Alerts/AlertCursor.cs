using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace StreamSentinel.AnalystConsole.Alerts;

/// <summary>
/// Where a page of the queue ended: the last alert's (created_at, id), the queue's sort key. Opaque to clients
/// (base64url), so the format can change; a cursor that does not parse is the client's error, not a 500.
/// </summary>
public readonly record struct AlertCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{Id:N}"));

    public static bool TryParse(string? text, out AlertCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 128)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
            var parts = decoded.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks is > 0 and < 3_155_378_975_999_999_999 && Guid.TryParseExact(parts[1], "N", out var id))
            {
                cursor = new AlertCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}
