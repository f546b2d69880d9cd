using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSentinel.ClickHouse.DependencyInjection;
using StreamSentinel.Migrations.Accounts;
using StreamSentinel.Migrations.Journals;
using StreamSentinel.PostgreSql.DependencyInjection;

namespace StreamSentinel.Migrations.DependencyInjection;

public static class MigrationsExtensions
{
    /// <summary>The migrator, the least-privilege accounts, and both databases they need.</summary>
    public static TBuilder AddSchemaMigrator<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPostgres().AddClickHouse();
        builder.Services.AddSingleton<PostgresSchemaJournal>();
        builder.Services.AddSingleton<ClickHouseSchemaJournal>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton<SchemaInventory>();
        builder.Services.AddSingleton<DatabaseAccounts>();
        return builder;
    }

    /// <summary>Retention by partition drops: ClickHouse only, so a cron job needs no PostgreSQL credentials.</summary>
    public static TBuilder AddClickHouseRetention<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddClickHouse();
        builder.Services.AddSingleton<Retention.PartitionRetention>();
        return builder;
    }
}
