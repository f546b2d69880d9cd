using System.Diagnostics;
using Dapper;
using Npgsql;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Journals;

/// <summary>PostgreSQL: each script and its journal row commit in one transaction, so a script is applied whole or not at all.</summary>
public sealed class PostgresSchemaJournal(NpgsqlDataSource dataSource) : ISchemaJournal
{
    // Any constant shared by every migrator of this product; "SSMIGRAT" in ASCII.
    private const long AdvisoryLockKey = 0x53534D4947524154;

    public MigrationTarget Target => MigrationTarget.Postgres;

    public async Task<IReadOnlyList<AppliedMigration>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ScriptCatalog.Bootstrap("postgres_journal.sql"), cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(int Version, string Name, string Checksum)>(new CommandDefinition(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version", cancellationToken: cancellationToken));
        return [.. rows.Select(r => new AppliedMigration(r.Version, r.Name, r.Checksum))];
    }

    public Task<string?> UnsupportedReasonAsync(MigrationScript script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        return Task.FromResult(script.Requirements.Count == 0
            ? null
            : $"PostgreSQL scripts cannot declare requirements ({string.Join(", ", script.Requirements)})");
    }

    public async Task ApplyAsync(MigrationScript script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        var stopwatch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES (@Version, @Name, @Checksum, @ExecutionMs)",
            new { script.Version, script.Name, script.Checksum, ExecutionMs = (int)stopwatch.ElapsedMilliseconds },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Holds a session advisory lock until disposed, so that migrators started together by several workers run
    /// one after another; the second then finds nothing to do.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key)", new { Key = AdvisoryLockKey }, cancellationToken: cancellationToken));
            return new AdvisoryLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class AdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { Key = AdvisoryLockKey });
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
