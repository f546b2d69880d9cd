using System.Globalization;
using System.Text;

namespace StreamSentinel.ClickHouse.Querying;

/// <summary>
/// Formats values as ClickHouse SQL literals. ClickHouse 18.16 rejects server-side query parameters, so
/// every value that reaches a query text goes through here, and nowhere else is SQL built from values.
/// </summary>
public static class ClickHouseLiteral
{
    /// <summary>A single-quoted string literal with backslash, quote and control characters escaped.</summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\'' => builder.Append(@"\'"),
                '\n' => builder.Append(@"\n"),
                '\r' => builder.Append(@"\r"),
                '\t' => builder.Append(@"\t"),
                '\0' => builder.Append(@"\0"),
                '\b' => builder.Append(@"\b"),
                '\f' => builder.Append(@"\f"),
                // \xHH is a byte to ClickHouse: only for ASCII controls; C1 controls (U+0080..U+009F) go as UTF-8 like any character.
                _ when c < ' ' || c == '\x7f' => builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('\'').ToString();
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A <c>DateTime</c> literal in UTC with second precision, e.g. <c>toDateTime('2024-05-01 13:00:00', 'UTC')</c>.</summary>
    public static string DateTime(DateTimeOffset value) =>
        $"toDateTime('{value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}', 'UTC')";

    /// <summary>A back-quoted identifier (table, column, database), for names that come from configuration.</summary>
    public static string Identifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "`" + name.Replace("\\", @"\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";
    }
}
