using System.Text;

namespace StreamSentinel.Migrations.Scripts;

/// <summary>
/// Splits a script into statements at semicolons that are outside quotes and comments. ClickHouse's HTTP
/// interface runs one statement per request; PostgreSQL takes the script whole and does not need this.
/// </summary>
public static class SqlStatements
{
    public static IReadOnlyList<string> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var statements = new List<string>();
        var current = new StringBuilder();
        var meaningful = false;
        for (var i = 0; i < script.Length; i++)
        {
            var c = script[i];
            if (c == '-' && Next(script, i) == '-')
            {
                var end = script.IndexOf('\n', i);
                i = end < 0 ? script.Length : end;
                current.Append('\n');
                continue;
            }

            if (c == '/' && Next(script, i) == '*')
            {
                var end = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? script.Length : end + 1;
                current.Append(' ');
                continue;
            }

            if (c is '\'' or '"' or '`')
            {
                var end = EndOfQuoted(script, i);
                current.Append(script, i, end - i + 1);
                i = end;
                meaningful = true;
                continue;
            }

            if (c == ';')
            {
                Flush();
                continue;
            }

            current.Append(c);
            meaningful |= !char.IsWhiteSpace(c);
        }

        Flush();
        return statements;

        void Flush()
        {
            if (meaningful)
            {
                statements.Add(current.ToString().Trim());
            }

            current.Clear();
            meaningful = false;
        }
    }

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    // The index of the closing quote; backslash escapes and doubled quotes are both honoured.
    private static int EndOfQuoted(string text, int start)
    {
        var quote = text[start];
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (Next(text, i) != quote)
                {
                    return i;
                }

                i++;
            }
        }

        throw new FormatException($"Unterminated {quote} quote starting at character {start}.");
    }
}
