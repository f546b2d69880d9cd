using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations;

/// <summary>A table or view; <see cref="Rows"/> is null for views that store nothing themselves.</summary>
public sealed record SchemaObject(MigrationTarget Target, string Name, string Kind, long? Rows);
