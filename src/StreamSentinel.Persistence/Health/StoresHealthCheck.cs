using ClickHouse.Driver;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StreamSentinel.ClickHouse.Health;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.PostgreSql.Health;

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

        problems.AddRange(new[] { await PostgresProbe.ProblemAsync(postgres, cancellationToken), await ClickHouseProbe.ProblemAsync(clickHouse, cancellationToken) }.OfType<string>());

        return problems.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", problems));
    }
}
