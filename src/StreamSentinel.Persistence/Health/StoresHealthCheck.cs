using ClickHouse.Driver;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StreamSentinel.Persistence.Diagnostics;

namespace StreamSentinel.Persistence.Health;

/// <summary>Ready when both databases answer and the worker is not holding a batch for an outage.</summary>
public sealed class StoresHealthCheck(NpgsqlDataSource postgres, ClickHouseClient clickHouse, PersistenceMetrics metrics) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (metrics.PausedStreams is { Count: > 0 } paused)
        {
            problems.Add($"partitions paused ({string.Join(", ", paused)}): writes keep failing");
        }

        try
        {
            await using var command = postgres.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            problems.Add($"PostgreSQL: {e.Message}");
        }

        try
        {
            if (!await clickHouse.PingAsync(new QueryOptions(), cancellationToken))
            {
                problems.Add("ClickHouse: ping failed");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ClickHouseServerException)
        {
            problems.Add($"ClickHouse: {e.Message}");
        }

        return problems.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", problems));
    }
}
