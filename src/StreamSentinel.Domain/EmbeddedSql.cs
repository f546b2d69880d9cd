using System.Collections.Concurrent;
using System.Reflection;

namespace StreamSentinel.Domain;

/// <summary>
/// The SQL of sql/queries, embedded into the adapters that run it, so queries are files a person can read and
/// review rather than strings scattered through code.
/// </summary>
public static class EmbeddedSql
{
    private static readonly ConcurrentDictionary<(Assembly, string), string> Cache = new();

    /// <summary>The text of resource <paramref name="name"/> (e.g. <c>sql/queries/postgres/write_alerts.sql</c>) in <paramref name="assembly"/>.</summary>
    public static string Read(Assembly assembly, string name) =>
        Cache.GetOrAdd((assembly, name), key =>
        {
            using var stream = key.Item1.GetManifestResourceStream(key.Item2)
                ?? throw new InvalidOperationException($"Embedded SQL {key.Item2} is missing from {key.Item1.GetName().Name}.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });
}
