using ClickHouse.Driver;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.ClickHouse.DependencyInjection;

public static class ClickHouseExtensions
{
    /// <summary>Configuration key of the ClickHouse.Driver connection string (environment: <c>SS_CLICKHOUSE</c>).</summary>
    public const string ConnectionStringName = "ClickHouse";

    /// <summary>One <see cref="ClickHouseClient"/> (it pools HTTP connections) behind a <see cref="ClickHouseDatabase"/>.</summary>
    public static TBuilder AddClickHouse<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = ConnectionStrings.Required(builder.Configuration, ConnectionStringName);
        builder.Services.AddSingleton(_ => new ClickHouseClient(connectionString));
        builder.Services.AddSingleton<ClickHouseDatabase>();
        return builder;
    }
}
