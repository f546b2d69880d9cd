using System.Text;

namespace StreamSentinel.ClickHouse.Querying;

/// <summary>Undoes ClickHouse's TSV escaping of one field (<c>\t</c>, <c>\n</c>, <c>\\</c>, ...). A NULL (<c>\N</c>) is refused.</summary>
internal static class TsvField
{
    public static string Unescape(string field)
    {
        if (field == @"\N")
        {
            // A string cannot say NULL; queries read through TSV select non-nullable values (or wrap them in ifNull).
            throw new FormatException("ClickHouse returned NULL in a TSV field; the query must not select nullable values.");
        }

        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i == field.Length - 1)
            {
                builder.Append(field[i]);
                continue;
            }

            i++;
            builder.Append(field[i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                _ => field[i],
            });
        }

        return builder.ToString();
    }
}
