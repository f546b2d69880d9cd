using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StreamSentinel.Hosting.Configuration;

namespace StreamSentinel.Hosting.DependencyInjection;

public static class HostBuilderExtensions
{
    /// <summary>
    /// Puts the SS_* stack variables under every other configuration source, so that an explicit setting
    /// always overrides the stack's defaults.
    /// </summary>
    public static TBuilder AddStackConfiguration<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sources = builder.Configuration.Sources;
        var stack = new ConfigurationBuilder().AddStackEnvironment().Sources[0];
        sources.Insert(0, stack);
        return builder;
    }
}
