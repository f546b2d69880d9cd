using System.Reflection;

namespace StreamSentinel.Migrations.Scripts;

/// <summary>The scripts built into this binary from sql/postgres and sql/clickhouse, in version order.</summary>
public static class ScriptCatalog
{
    public static IReadOnlyList<MigrationScript> For(MigrationTarget target)
    {
        var prefix = target switch
        {
            MigrationTarget.Postgres => "sql/postgres/",
            MigrationTarget.ClickHouse => "sql/clickhouse/",
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
        };
        var assembly = typeof(ScriptCatalog).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(name => MigrationScript.Parse(name[prefix.Length..], Read(assembly, name)))
            .OrderBy(script => script.Version)
            .ToList();
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? scripts
            : throw new InvalidOperationException($"Two {target} scripts share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}.");
    }

    /// <summary>The migrator's own bootstrap SQL (sql/migrator/<paramref name="fileName"/>).</summary>
    public static string Bootstrap(string fileName) => Read(typeof(ScriptCatalog).Assembly, "sql/migrator/" + fileName);

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded script {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
