using Microsoft.Extensions.Options;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Intake;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Endpoints;

/// <summary>What the intake endpoints use, in one service: the queue, the per-client limits and audit, the pseudonymiser, metrics and the clock.</summary>
internal sealed class IntakeServices(
    IntakeBuffer queue, ClientLimits limits, IntakeAudit audit, Pseudonymiser pseudonymiser, GatewayMetrics metrics, TimeProvider time, IOptions<GatewayOptions> options)
{
    public IntakeBuffer Queue { get; } = queue;

    public ClientLimits Limits { get; } = limits;

    public IntakeAudit Audit { get; } = audit;

    public Pseudonymiser Pseudonymiser { get; } = pseudonymiser;

    public GatewayMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public int RetryAfterSeconds { get; } = options.Value.RetryAfterSeconds;
}
