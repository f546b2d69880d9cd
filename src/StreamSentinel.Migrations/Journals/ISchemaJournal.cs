using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Journals;

/// <summary>One database as the migrator sees it: its journal of applied scripts and a way to apply one more.</summary>
public interface ISchemaJournal
{
    MigrationTarget Target { get; }

    /// <summary>Creates the journal table if needed and reads it.</summary>
    Task<IReadOnlyList<AppliedMigration>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Null when the server can run <paramref name="script"/>; otherwise why not (e.g. a missing feature).</summary>
    Task<string?> UnsupportedReasonAsync(MigrationScript script, CancellationToken cancellationToken);

    /// <summary>Runs the script and records it; on failure nothing is recorded.</summary>
    Task ApplyAsync(MigrationScript script, CancellationToken cancellationToken);
}
