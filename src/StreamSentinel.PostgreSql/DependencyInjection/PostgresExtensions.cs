using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
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
    public static TBuilder AddPostgres<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set. Set SS_POSTGRES (scripts/stack.sh up writes it to .stack/env).");
        }

        builder.Services.AddNpgsqlDataSource(connectionString, dataSource => dataSource.EnableDynamicJson());
        builder.Services.AddDbContext<SentinelDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<Npgsql.NpgsqlDataSource>()));
        return builder;
    }
}
