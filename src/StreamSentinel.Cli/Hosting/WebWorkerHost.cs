using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Diagnostics;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Hosting.Options;

namespace StreamSentinel.Cli.Hosting;

/// <summary>A worker with an HTTP surface for SREs: /healthz, /readyz, /metrics on 127.0.0.1 (or <c>Http:Host</c>):<c>--http-port</c>.</summary>
internal static class WebWorkerHost
{
    public static WebApplicationBuilder CreateBuilder(int httpPort, IReadOnlyDictionary<string, string?> overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.AddStackConfiguration();
        builder.Configuration.AddInMemoryCollection(overrides.Where(pair => pair.Value is not null));
        // Port 0 lets the system choose, so several workers run side by side on one machine; the chosen one is logged.
        // Loopback unless Http:Host says otherwise (a container publishes its port: Http__Host=0.0.0.0).
        // HTTPS when a certificate is configured (Kestrel__Certificates__Default__Path and __KeyPath, PEM), else HTTP.
        var scheme = string.IsNullOrEmpty(builder.Configuration["Kestrel:Certificates:Default:Path"]) ? "http" : "https";
        var urls = $"{scheme}://{builder.Configuration["Http:Host"] ?? "127.0.0.1"}:{httpPort}";
        // Management:Port: health, readiness and metrics on a port of their own (MapDefaultEndpoints keeps them apart).
        if (ManagementOptions.From(builder.Configuration) is { Port: { } managementPort } management)
        {
            urls += $";http://{management.Host}:{managementPort}";
        }

        builder.WebHost.UseUrls(urls);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }

    public static Task<int> RunAsync(WebApplicationBuilder builder, CancellationToken cancellationToken) => RunAsync(builder, null, cancellationToken);

    // map: endpoints of the worker's own, beside the health and metrics endpoints every worker has.
    public static async Task<int> RunAsync(WebApplicationBuilder builder, Action<WebApplication>? map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(builder);
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamSentinel.Cli");
        try
        {
            await app.StartAsync(cancellationToken);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Log.Listening(logger, string.Join(", ", addresses));
            await app.WaitForShutdownAsync(cancellationToken);
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            Log.InvalidConfiguration(logger, string.Join("; ", e.Failures));
            return WorkerHost.InvalidConfiguration;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            // A missing or outdated model file: a setting to fix, not a crash to investigate.
            Log.InvalidConfiguration(logger, e.Message);
            return WorkerHost.InvalidConfiguration;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HostFailed(logger, e);
            return 1;
        }
    }
}
