using Microsoft.EntityFrameworkCore;
using StreamSentinel.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace StreamSentinel.PostgreSql.DependencyInjection;

public static class PostgresExtensions
{
    /// <summary>Configuration key of the Npgsql connection string (environment: <c>SS_POSTGRES</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    /// <summary>
    /// One <see cref="Npgsql.NpgsqlDataSource"/> for the process, shared by Dapper on the hot paths and by
    /// <see cref="SentinelDbContext"/> for analysts' queries, so both draw from one connection pool.
    /// </summary>
    /// <param name="builder">The host.</param>
    /// <param name="keepSessionState">
    /// True to return connections to the pool without resetting them (Npgsql's <c>No Reset On Close</c>): their
    /// temporary tables survive from one batch to the next. Only for a process whose connections set no other state.
    /// Its prepared statements are planned for their parameters at every execution.
    /// </param>
    public static TBuilder AddPostgres<TBuilder>(this TBuilder builder, bool keepSessionState = false)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = ConnectionStrings.Required(builder.Configuration, ConnectionStringName);
        // Auto-prepare: the persistence worker runs the same few statements for every batch; prepared once per physical
        // connection, they skip parsing and planning afterwards.
        builder.Services.AddNpgsqlDataSource(connectionString, dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = Math.Max(dataSource.ConnectionStringBuilder.MaxAutoPrepare, 32);
            if (keepSessionState)
            {
                dataSource.ConnectionStringBuilder.NoResetOnClose = true;
                // The batch writes are prepared (above) but must be planned for each batch: a generic plan, which the
                // server switches to after five executions, guessed the staging table's rows and the alerts' users
                // wrongly and ran the alerts' write 2-4 times slower (auto_explain, bench persistence).
                dataSource.ConnectionStringBuilder.Options = $"{dataSource.ConnectionStringBuilder.Options} -c plan_cache_mode=force_custom_plan".Trim();
            }
        });
        builder.Services.AddDbContext<SentinelDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<Npgsql.NpgsqlDataSource>()));
        return builder;
    }
}
