using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// The worker's operational voice: audits its start (with the configuration it loaded) and stop, publishes a
/// performance snapshot every interval and a last one at shutdown, and pumps both streams to Kafka.
/// </summary>
/// <remarks>Registered before the worker's own services, so the host stops it after them and their last events go out.</remarks>
public sealed class OperationalStreamsService(
    OperationalPublisher publisher,
    PerformanceCollector collector,
    OperationalConfiguration configuration,
    IOptions<OperationalOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OperationalStreamsService> logger) : BackgroundService
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly long _started = Stopwatch.GetTimestamp();
    private Task? _pump;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var worker = publisher.Worker;
        // The pump outlives ExecuteAsync: it ends when the buffer is completed in StopAsync, after the last events.
        _pump = Task.Run(() => publisher.PumpAsync(CancellationToken.None), CancellationToken.None);
        publisher.Audit(AuditActions.WorkerStarted, "worker", worker.Actor, new JsonObject
        {
            ["kind"] = worker.Kind,
            ["instance"] = worker.Instance,
            ["host"] = Environment.MachineName,
            ["pid"] = Environment.ProcessId,
            ["version"] = typeof(OperationalStreamsService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            ["runtime"] = Environment.Version.ToString(),
        });
        publisher.Audit(AuditActions.ConfigurationLoaded, "worker", worker.Actor, configuration.Describe());
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SnapshotIntervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                publisher.Publish(collector.Take(publisher.Worker, publisher.TakeDropped()));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync publishes the last snapshot.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var worker = publisher.Worker;
        publisher.Publish(collector.Take(worker, publisher.TakeDropped()));
        publisher.Audit(AuditActions.WorkerStopped, "worker", worker.Actor, new JsonObject
        {
            ["uptime_seconds"] = Math.Round(Stopwatch.GetElapsedTime(_started).TotalSeconds, 1),
            ["exit_code"] = Environment.ExitCode,
            ["requested"] = lifetime.ApplicationStopping.IsCancellationRequested,
        });
        publisher.Complete();
        if (_pump is not null)
        {
            await _pump.WaitAsync(cancellationToken);
        }

        var undelivered = publisher.Flush(FlushTimeout);
        if (undelivered > 0)
        {
            Log.Undelivered(logger, undelivered);
        }
    }
}

/// <summary>What <c>configuration.loaded</c> says about a worker: its settings, never its secrets.</summary>
public sealed class OperationalConfiguration(Func<JsonObject> describe)
{
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public JsonObject Describe() => describe();

    /// <summary>Options objects as one JSON object, one property per section, leaving out the named (secret) properties.</summary>
    public static JsonObject Of(IEnumerable<(string Section, object Options)> sections, params string[] omit)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var described = new JsonObject();
        foreach (var (section, options) in sections)
        {
            var node = JsonSerializer.SerializeToNode(options, options.GetType(), SnakeCase)!.AsObject();
            foreach (var secret in omit)
            {
                node.Remove(secret);
            }

            described[section] = node;
        }

        return described;
    }
}

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "{Count} audit events or snapshots were not acknowledged by Kafka before the worker stopped; they are lost (the fleet's results are not affected).")]
    public static partial void Undelivered(ILogger logger, int count);
}
