namespace StreamSentinel.Migrations;

/// <summary>What the migrator did with a pending script.</summary>
public enum MigrationAction
{
    /// <summary>Run and recorded.</summary>
    Applied,

    /// <summary>Left pending: the server lacks a feature it needs (it will run once the server has it).</summary>
    Deferred,

    /// <summary>Would be applied; nothing was run (dry run).</summary>
    WouldApply,
}
