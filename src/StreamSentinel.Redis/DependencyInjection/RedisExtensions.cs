using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.Redis.DependencyInjection;

public static class RedisExtensions
{
    /// <summary>Configuration key of the StackExchange.Redis configuration string (environment: <c>SS_REDIS</c>).</summary>
    public const string ConnectionStringName = "Redis";

    /// <summary>One <see cref="IConnectionMultiplexer"/> per process, as StackExchange.Redis intends: it multiplexes and pipelines.</summary>
    public static TBuilder AddRedis<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ConfigurationOptions.Parse(ConnectionStrings.Required(builder.Configuration, ConnectionStringName));
        // Keep retrying in the background rather than failing start-up: readiness reports the outage instead.
        options.AbortOnConnectFail = false;
        options.ClientName ??= "stream-sentinel";
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return builder;
    }
}
