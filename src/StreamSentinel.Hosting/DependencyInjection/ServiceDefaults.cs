using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Hosting.Options;

namespace StreamSentinel.Hosting.DependencyInjection;

/// <summary>
/// The SRE surface every worker has: /healthz, /readyz, Prometheus /metrics and /latency (real percentiles); and, when a collector is configured
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, as Aspire sets it), logs, traces and metrics over OTLP.
/// </summary>
public static class ServiceDefaults
{
    /// <summary>Tag of the health checks that decide readiness (every external system a worker needs).</summary>
    public const string ReadyTag = "ready";

    /// <summary>The activity sources of the pipeline's spans (StreamSentinel.Pipeline and any later ones).</summary>
    public const string TraceSources = "StreamSentinel.*";

    /// <param name="builder">The worker's host builder.</param>
    /// <param name="meters">The meters of the worker's own instruments, exported beside the runtime's and Kestrel's.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, params string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(meters)
            .AddMeter("System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        // Spans cost something per transaction, so they are recorded only when someone collects them.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // The service name comes from OTEL_SERVICE_NAME (Aspire sets it per resource: detection, persistence-1, ...).
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(TraceSources)
                    // Probes and scrapes every few seconds would bury the pipeline's spans.
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !IsProbe(http.Request.Path)))
                .WithLogging(configureBuilder: null, options => options.IncludeFormattedMessage = true)
                .UseOtlpExporter();
        }

        builder.Services.AddSingleton(services => new LatencyRecorder(services.GetRequiredService<IMeterFactory>(), meters));

        // Liveness has no dependency on other systems: a database outage must not get a healthy worker restarted.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics")
        || path.StartsWithSegments("/latency");

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (ManagementOptions.From(app.Configuration).Port is { } managementPort)
        {
            // By the port the connection arrived on, never by the Host header, which the client chooses: probes only on
            // the management port, and nothing else there.
            app.Use((context, next) =>
            {
                if (IsProbe(context.Request.Path) != (context.Connection.LocalPort == managementPort))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        // Anonymous even where a fallback policy requires a signed-in user (the console): probes and scrapers have none.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        // Resolved here, before the workers start, so that it hears their first measurement.
        var latencies = app.Services.GetRequiredService<LatencyRecorder>();
        app.MapGet("/latency", () => TypedResults.Json(new LatencyReport(latencies.Read()), LatencyJsonContext.Default.LatencyReport))
            .ExcludeFromDescription();
        return app;
    }
}
