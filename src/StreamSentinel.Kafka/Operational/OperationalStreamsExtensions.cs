using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StreamSentinel.Kafka.Operational;

public static class OperationalStreamsExtensions
{
    /// <summary>
    /// Audit events and performance snapshots of this worker, published to Kafka. Call it before the worker's own
    /// hosted services are added: the host stops services in reverse order, and this one must stop last.
    /// </summary>
    /// <param name="builder">The worker's host builder.</param>
    /// <param name="kind">The worker kind (see <see cref="Contracts.WorkerKinds"/>).</param>
    /// <param name="instance">The worker's instance name, from its options.</param>
    /// <param name="profile">What the worker's instruments mean in a snapshot.</param>
    /// <param name="configuration">The settings worth auditing at start; no secrets.</param>
    public static TBuilder AddOperationalStreams<TBuilder>(
        this TBuilder builder,
        string kind,
        Func<IServiceProvider, string> instance,
        PerformanceProfile profile,
        Func<IServiceProvider, JsonObject> configuration)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OperationalOptions>().BindConfiguration(OperationalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new WorkerIdentity(kind, instance(services)));
        builder.Services.AddSingleton<OperationalPublisher>();
        builder.Services.AddSingleton(services => new PerformanceCollector(services.GetRequiredService<IMeterFactory>(), profile, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(services => new OperationalConfiguration(() => configuration(services)));
        builder.Services.AddSingleton<IOperationalEvents>(services =>
            services.GetRequiredService<IOptions<OperationalOptions>>().Value.Enabled
                ? new PublishedOperationalEvents(services.GetRequiredService<OperationalPublisher>())
                : IOperationalEvents.None);
        if (builder.Configuration.GetValue($"{OperationalOptions.SectionName}:{nameof(OperationalOptions.Enabled)}", true))
        {
            builder.Services.AddHostedService<OperationalStreamsService>();
        }

        return builder;
    }
}
