using System.Globalization;
using StreamSentinel.Domain;

namespace StreamSentinel.ClickHouse.Querying;

/// <summary>
/// The named BI queries of sql/bi: each file is one query, its leading comment the description BI users read,
/// an optional <c>-- Chart: line|bar X Y1,Y2</c> line how the console draws it,
/// its placeholders <c>{from}</c>, <c>{to}</c> (a time window) and <c>{limit}</c> filled here, never by string concatenation of user text.
/// </summary>
public static class BiQueries
{
    private const string Prefix = "sql/bi/";

    /// <summary>The window a query runs over when its user gives no start.</summary>
    public static DateTimeOffset AllTimeFrom { get; } = DateTimeOffset.UnixEpoch;

    /// <summary>The window a query runs over when its user gives no end.</summary>
    public static DateTimeOffset AllTimeTo { get; } = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every named query, by name (the file name without <c>.sql</c>).</summary>
    public static IReadOnlyList<BiQuery> All { get; } = Load();

    public static BiQuery? Find(string name) => All.FirstOrDefault(q => q.Name == name);

    private static List<BiQuery> Load()
    {
        var assembly = typeof(BiQueries).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(Prefix, StringComparison.Ordinal) && resource.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(resource => Parse(resource[Prefix.Length..^4], EmbeddedSql.Read(assembly, resource)))];
    }

    private static BiQuery Parse(string name, string text)
    {
        const string ChartPrefix = "Chart:";
        var lines = text.Split('\n');
        var comments = lines.TakeWhile(l => l.StartsWith("--", StringComparison.Ordinal)).Select(l => l[2..].Trim()).ToList();
        var description = string.Join(' ', comments.Where(c => !c.StartsWith(ChartPrefix, StringComparison.Ordinal)));
        var chart = comments.Where(c => c.StartsWith(ChartPrefix, StringComparison.Ordinal))
            .Select(c => c[ChartPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(parts => parts is [var kind and ("line" or "bar"), var x, var y]
                ? new BiChart(kind, x, y.Split(','))
                : throw new FormatException($"sql/bi/{name}.sql: a chart line reads '-- Chart: line|bar X Y1,Y2'."))
            .SingleOrDefault();
        var sql = string.Join('\n', lines.SkipWhile(l => l.StartsWith("--", StringComparison.Ordinal))).Trim();
        return new BiQuery(name, description, sql, chart);
    }
}

/// <summary>How the console charts a query: a line (over time) or bars, the column along X, and the columns drawn.</summary>
public sealed record BiChart(string Kind, string X, IReadOnlyList<string> Y);

/// <summary>One named BI query: what it answers, its SQL with placeholders, and how to chart it (if it has a chart).</summary>
public sealed record BiQuery(string Name, string Description, string Sql, BiChart? Chart)
{
    /// <summary>The SQL for the window [<paramref name="from"/>, <paramref name="to"/>) and at most <paramref name="limit"/> rows.</summary>
    public string Render(DateTimeOffset from, DateTimeOffset to, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Sql
            .Replace("{from}", ClickHouseLiteral.DateTime(from), StringComparison.Ordinal)
            .Replace("{to}", ClickHouseLiteral.DateTime(to), StringComparison.Ordinal)
            .Replace("{limit}", limit.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
