using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamSentinel.Migrations.Diagnostics;
using StreamSentinel.Migrations.Journals;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations;

/// <summary>
/// Applies the numbered scripts of each database in order, recording each with its checksum. A second run is a
/// no-op; a run that finds an applied script edited, or a script it does not know, refuses before running anything.
/// </summary>
public sealed class SchemaMigrator(PostgresSchemaJournal postgres, ClickHouseSchemaJournal clickHouse, ILogger<SchemaMigrator> logger)
{
    /// <summary>Migrates both databases with the scripts built into this binary.</summary>
    public Task<MigrationReport> MigrateAsync(bool dryRun, CancellationToken cancellationToken) =>
        MigrateAsync(
            new Dictionary<MigrationTarget, IReadOnlyList<MigrationScript>>
            {
                [MigrationTarget.Postgres] = ScriptCatalog.For(MigrationTarget.Postgres),
                [MigrationTarget.ClickHouse] = ScriptCatalog.For(MigrationTarget.ClickHouse),
            },
            dryRun,
            cancellationToken);

    /// <summary>Migrates with the given scripts per database (tests use their own).</summary>
    public async Task<MigrationReport> MigrateAsync(
        IReadOnlyDictionary<MigrationTarget, IReadOnlyList<MigrationScript>> scripts, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        // PostgreSQL's advisory lock serialises whole runs, ClickHouse's part included: ClickHouse has no lock of its own.
        await using var runLock = await postgres.LockAsync(cancellationToken);
        var alreadyApplied = new Dictionary<MigrationTarget, int>();
        var plans = new List<(ISchemaJournal Journal, IReadOnlyList<MigrationScript> Pending)>();
        // Every database is planned before any is changed: a refusal for one leaves the other untouched too.
        foreach (var journal in new ISchemaJournal[] { postgres, clickHouse }.Where(j => scripts.ContainsKey(j.Target)))
        {
            var applied = await journal.ReadAsync(cancellationToken);
            plans.Add((journal, MigrationPlanner.Pending(journal.Target, scripts[journal.Target], applied)));
            alreadyApplied[journal.Target] = applied.Count;
        }

        var outcomes = new List<MigrationOutcome>();
        foreach (var (journal, pending) in plans)
        {
            foreach (var script in pending)
            {
                outcomes.Add(await RunAsync(journal, script, dryRun, cancellationToken));
            }
        }

        return new MigrationReport(alreadyApplied, outcomes);
    }

    private async Task<MigrationOutcome> RunAsync(ISchemaJournal journal, MigrationScript script, bool dryRun, CancellationToken cancellationToken)
    {
        var unsupported = await journal.UnsupportedReasonAsync(script, cancellationToken);
        if (unsupported is not null)
        {
            Log.ScriptDeferred(logger, journal.Target, script.Name, unsupported);
            return new MigrationOutcome(journal.Target, script.Name, MigrationAction.Deferred, TimeSpan.Zero, unsupported);
        }

        if (dryRun)
        {
            return new MigrationOutcome(journal.Target, script.Name, MigrationAction.WouldApply, TimeSpan.Zero);
        }

        var stopwatch = Stopwatch.StartNew();
        try
        {
            await journal.ApplyAsync(script, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ScriptFailed(logger, journal.Target, script.Name, e);
            throw;
        }

        Log.ScriptApplied(logger, journal.Target, script.Name, stopwatch.ElapsedMilliseconds);
        return new MigrationOutcome(journal.Target, script.Name, MigrationAction.Applied, stopwatch.Elapsed);
    }
}
