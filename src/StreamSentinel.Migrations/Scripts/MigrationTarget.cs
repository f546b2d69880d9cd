namespace StreamSentinel.Migrations.Scripts;

/// <summary>The databases the migrator manages; each has its own folder under sql/.</summary>
public enum MigrationTarget
{
    Postgres,
    ClickHouse,
}
