using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamSentinel.AppHost;

/// <summary>Healthy when something accepts connections on 127.0.0.1:<paramref name="port"/> (PostgreSQL, Redis).</summary>
internal sealed class TcpHealthCheck(int port) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SocketException e)
        {
            return HealthCheckResult.Unhealthy($"127.0.0.1:{port}: {e.Message}");
        }
    }
}
