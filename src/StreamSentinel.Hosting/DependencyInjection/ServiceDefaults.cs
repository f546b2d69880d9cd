using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace StreamSentinel.Hosting.DependencyInjection;

/// <summary>The SRE surface every worker has: /healthz, /readyz and Prometheus /metrics.</summary>
public static class ServiceDefaults
{
    /// <summary>Tag of the health checks that decide readiness (every external system a worker needs).</summary>
    public const string ReadyTag = "ready";

    /// <param name="builder">The worker's host builder.</param>
    /// <param name="meters">The meters of the worker's own instruments, exported beside the runtime's and Kestrel's.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, params string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(meters)
            .AddMeter("System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        // Liveness has no dependency on other systems: a database outage must not get a healthy worker restarted.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
