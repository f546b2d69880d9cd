using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations;

/// <summary>The result of one migrator run over every database.</summary>
public sealed record MigrationReport(IReadOnlyDictionary<MigrationTarget, int> AlreadyApplied, IReadOnlyList<MigrationOutcome> Outcomes)
{
    /// <summary>True when the run changed no database.</summary>
    public bool NothingApplied => Outcomes.All(o => o.Action != MigrationAction.Applied);
}
