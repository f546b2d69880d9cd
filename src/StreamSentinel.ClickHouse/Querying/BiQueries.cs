using System.Globalization;
using StreamSentinel.Domain;

namespace StreamSentinel.ClickHouse.Querying;

/// <summary>
/// The named BI queries of sql/bi: each file is one query, its leading comment the description BI users read,
/// its placeholders <c>{from}</c>, <c>{to}</c> (a time window) and <c>{limit}</c> filled here, never by string concatenation of user text.
/// </summary>
public static class BiQueries
{
    private const string Prefix = "sql/bi/";

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
        var lines = text.Split('\n');
        var description = string.Join(' ', lines.TakeWhile(l => l.StartsWith("--", StringComparison.Ordinal)).Select(l => l[2..].Trim()));
        var sql = string.Join('\n', lines.SkipWhile(l => l.StartsWith("--", StringComparison.Ordinal))).Trim();
        return new BiQuery(name, description, sql);
    }
}

/// <summary>One named BI query: what it answers, and its SQL with placeholders.</summary>
public sealed record BiQuery(string Name, string Description, string Sql)
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
