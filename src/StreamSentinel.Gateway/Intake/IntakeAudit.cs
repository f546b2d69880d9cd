using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Gateway.Intake;

/// <summary>
/// Refusals and throttling per client, in the audit trail (issue 18): one <c>intake.refused</c> event per client and
/// interval with the counts per reason, not one per request, so that a client flooding the gateway cannot flood the
/// audit trail too. The last interval is written at shutdown.
/// </summary>
public sealed class IntakeAudit(IOperationalEvents events, IOptions<GatewayOptions> options, TimeProvider time) : BackgroundService
{
    public const string Action = "intake.refused";
    public const string EntityType = "gateway_client";

    private readonly Lock _gate = new();
    private Dictionary<(string Client, string Kind, string Reason), long> _counts = [];
    private DateTimeOffset _since = time.GetUtcNow();

    /// <summary>A transaction or request of <paramref name="client"/> was refused: <paramref name="kind"/> is <c>rejected</c> (invalid) or <c>throttled</c>.</summary>
    public void Refused(string client, string kind, string reason, int count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _counts[(client, kind, reason)] = _counts.GetValueOrDefault((client, kind, reason)) + count;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.AuditIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: StopAsync writes the last interval.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Flush();
    }

    private void Flush()
    {
        Dictionary<(string Client, string Kind, string Reason), long> counts;
        lock (_gate)
        {
            counts = _counts;
            _counts = [];
        }

        var since = _since;
        _since = time.GetUtcNow();
        foreach (var client in counts.GroupBy(c => c.Key.Client))
        {
            var details = new JsonObject
            {
                ["from"] = since.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["to"] = _since.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var kind in client.GroupBy(c => c.Key.Kind))
            {
                var reasons = new JsonObject();
                foreach (var entry in kind.OrderBy(e => e.Key.Reason, StringComparer.Ordinal))
                {
                    reasons[entry.Key.Reason] = entry.Value;
                }

                details[kind.Key] = reasons;
            }

            events.Audit(Action, EntityType, client.Key, details);
        }
    }
}
