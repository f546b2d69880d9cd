namespace StreamSentinel.Migrations.Scripts;

/// <summary>A script a database's journal says was applied.</summary>
public sealed record AppliedMigration(int Version, string Name, string Checksum);
