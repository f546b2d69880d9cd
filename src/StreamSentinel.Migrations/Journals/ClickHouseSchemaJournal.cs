using System.Diagnostics;
using System.Globalization;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Journals;

/// <summary>
/// ClickHouse: no transactions, so each statement of a script runs on its own and the journal row is written
/// last. Scripts use IF NOT EXISTS, so one interrupted half-way completes when it runs again.
/// </summary>
public sealed class ClickHouseSchemaJournal(ClickHouseDatabase database) : ISchemaJournal
{
    /// <summary>Server features a script can require, with the first version that has them.</summary>
    private static readonly Dictionary<string, Version> Features = new(StringComparer.Ordinal)
    {
        ["ttl"] = new Version(19, 6),
    };

    private Version? _serverVersion;

    public MigrationTarget Target => MigrationTarget.ClickHouse;

    public async Task<IReadOnlyList<AppliedMigration>> ReadAsync(CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(ScriptCatalog.Bootstrap("clickhouse_journal.sql"), cancellationToken);
        var rows = await database.QueryTsvAsync("SELECT version, name, checksum FROM schema_migrations ORDER BY version", cancellationToken);
        // Migrators are serialised by PostgreSQL's advisory lock, but a journal row can still be written twice by a run
        // that recorded a script and then failed to hear back; equal rows count once, different ones are an edit.
        return [.. rows
            .Select(r => new AppliedMigration(int.Parse(r[0], CultureInfo.InvariantCulture), r[1], r[2]))
            .GroupBy(r => (r.Version, r.Checksum))
            .Select(g => g.First())];
    }

    public async Task<string?> UnsupportedReasonAsync(MigrationScript script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (script.Requirements.Count == 0)
        {
            return null;
        }

        _serverVersion ??= await database.GetServerVersionAsync(cancellationToken);
        foreach (var requirement in script.Requirements)
        {
            if (!Features.TryGetValue(requirement, out var since))
            {
                throw new MigrationRefusedException(Target, [$"{script.Name} requires '{requirement}', which the migrator does not know (known: {string.Join(", ", Features.Keys)})."]);
            }

            if (_serverVersion < since)
            {
                return $"needs {requirement} (ClickHouse {since}+), server is {_serverVersion}";
            }
        }

        return null;
    }

    public async Task ApplyAsync(MigrationScript script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        var stopwatch = Stopwatch.StartNew();
        foreach (var statement in SqlStatements.Split(script.Sql))
        {
            await database.ExecuteAsync(statement, cancellationToken);
        }

        await database.ExecuteAsync(
            "INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES ("
            + string.Join(", ", ClickHouseLiteral.Number(script.Version), ClickHouseLiteral.Text(script.Name), ClickHouseLiteral.Text(script.Checksum), ClickHouseLiteral.Number(stopwatch.ElapsedMilliseconds))
            + ")",
            cancellationToken);
    }
}
