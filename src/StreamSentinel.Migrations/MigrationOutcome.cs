using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations;

/// <summary>What happened to one script in one run.</summary>
public sealed record MigrationOutcome(MigrationTarget Target, string Script, MigrationAction Action, TimeSpan Elapsed, string? Reason = null);
