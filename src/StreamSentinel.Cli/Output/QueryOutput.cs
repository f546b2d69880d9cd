using System.Globalization;
using Spectre.Console;

namespace StreamSentinel.Cli.Output;

/// <summary>Rows read back from a database, printed as a table for people or as CSV for tools.</summary>
internal static class QueryOutput
{
    /// <param name="headings">Column headings, one per field of each row.</param>
    /// <param name="rows">The rows, as the database wrote them (TSV fields).</param>
    /// <param name="textColumns">How many leading columns are text (left-aligned, printed as they are).</param>
    /// <param name="caption">A line under the table, or null.</param>
    public static void Table(IReadOnlyList<string> headings, IEnumerable<string[]> rows, int textColumns, string? caption = null)
    {
        var table = new Table().Border(TableBorder.Simple);
        for (var i = 0; i < headings.Count; i++)
        {
            var text = i < textColumns;
            table.AddColumn(Markup.Escape(headings[i]), c => c.Alignment = text ? Justify.Left : Justify.Right);
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select((value, i) => Markup.Escape(i < textColumns ? value : Number(value)))]);
        }

        if (caption is not null)
        {
            table.Caption(caption);
        }

        AnsiConsole.Write(table);
    }

    public static void Csv(IReadOnlyList<string> headings, IEnumerable<string[]> rows)
    {
        Console.WriteLine(string.Join(',', headings.Select(CsvField)));
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(',', row.Select(value => value == "nan" ? "" : CsvField(value))));
        }
    }

    // Counts with thousands separators, other figures with one decimal (shares keep four); "nan" is an average of nothing.
    private static string Number(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole.ToString("N0", CultureInfo.InvariantCulture)
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)
            ? real.ToString(Math.Abs(real) < 1 ? "0.####" : "N1", CultureInfo.InvariantCulture)
        : value == "nan" ? "-"
        : value;

    private static string CsvField(string value) =>
        // RFC 4180: a field holding a comma, a quote or a line break (CR or LF) is quoted.
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : value;
}
