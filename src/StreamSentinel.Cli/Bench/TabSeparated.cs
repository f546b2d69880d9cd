using System.Globalization;
using System.Text;

namespace StreamSentinel.Cli.Bench;

/// <summary>Rows as ClickHouse's TabSeparated format, for the benchmark's baseline: ClickHouse parsing a file itself.</summary>
internal static class TabSeparated
{
    public static void AppendRow(StringBuilder builder, object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('\t');
            }

            AppendValue(builder, row[i]);
        }

        builder.Append('\n');
    }

    private static void AppendValue(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append(@"\N");
                break;
            case string text:
                AppendEscaped(builder, text);
                break;
            case DateTime time:
                builder.Append(time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                break;
            case string[] items:
                builder.Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    builder.Append(i == 0 ? "'" : ",'").Append(items[i].Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal)).Append('\'');
                }

                builder.Append(']');
                break;
            case IFormattable number:
                builder.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"No TSV form for {value.GetType()}.", nameof(value));
        }
    }

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\t' => builder.Append(@"\t"),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }
}
