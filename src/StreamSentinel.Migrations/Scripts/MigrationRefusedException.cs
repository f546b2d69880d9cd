namespace StreamSentinel.Migrations.Scripts;

/// <summary>The scripts and the database's journal disagree in a way that running migrations cannot fix.</summary>
public sealed class MigrationRefusedException : Exception
{
    public MigrationRefusedException(MigrationTarget target, IReadOnlyList<string> problems)
        : base($"{target}: migrations refused. " + string.Join(" ", problems))
    {
        Target = target;
        Problems = problems;
    }

    public MigrationTarget Target { get; }

    public IReadOnlyList<string> Problems { get; }
}
