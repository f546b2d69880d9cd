namespace StreamSentinel.Migrations.Scripts;

/// <summary>Compares the scripts of this build with a database's journal and decides what to run.</summary>
public static class MigrationPlanner
{
    /// <summary>The scripts not yet applied, in order.</summary>
    /// <exception cref="MigrationRefusedException">
    /// An applied script was edited, the database holds a script this build does not know, or a new script is
    /// numbered before one already applied. Each problem is named; nothing has been run.
    /// </exception>
    public static IReadOnlyList<MigrationScript> Pending(
        MigrationTarget target, IReadOnlyList<MigrationScript> available, IReadOnlyList<AppliedMigration> applied)
    {
        ArgumentNullException.ThrowIfNull(available);
        ArgumentNullException.ThrowIfNull(applied);
        var problems = new List<string>();
        var byVersion = available.ToDictionary(s => s.Version);
        foreach (var record in applied)
        {
            if (!byVersion.TryGetValue(record.Version, out var script))
            {
                problems.Add($"The database has {record.Name} applied, which this build does not contain: run a newer stream-sentinel.");
            }
            else if (script.Checksum != record.Checksum)
            {
                problems.Add(
                    $"{script.Name} was edited after it was applied (applied checksum {record.Checksum[..12]}…, file now {script.Checksum[..12]}…). "
                    + "Applied scripts are never changed: restore the file and put the change in a new, higher-numbered script.");
            }
        }

        var appliedVersions = applied.Select(a => a.Version).ToHashSet();
        var pending = available.Where(s => !appliedVersions.Contains(s.Version)).ToList();
        var latestApplied = appliedVersions.Count == 0 ? 0 : appliedVersions.Max();
        // Scripts that wait for a server feature (e.g. TTL) may legitimately run after later ones, once the
        // server is upgraded; any other script numbered below the latest applied one was inserted by mistake.
        foreach (var script in pending.Where(s => s.Version < latestApplied && s.Requirements.Count == 0))
        {
            problems.Add(
                $"{script.Name} is new but numbered before the latest applied script ({latestApplied:D4}): "
                + "scripts are forward-only, so renumber it after the last one.");
        }

        return problems.Count == 0 ? pending : throw new MigrationRefusedException(target, problems);
    }
}
