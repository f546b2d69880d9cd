using ClickHouse.Driver;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StreamSentinel.ClickHouse.Health;
using StreamSentinel.PostgreSql.Health;

namespace StreamSentinel.AnalystConsole.DependencyInjection;

/// <summary>Ready when PostgreSQL (alerts) and ClickHouse (recent payments) both answer.</summary>
internal sealed class DatabasesHealthCheck(NpgsqlDataSource postgres, ClickHouseClient clickHouse) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        List<string> problems = [.. new[] { await PostgresProbe.ProblemAsync(postgres, cancellationToken), await ClickHouseProbe.ProblemAsync(clickHouse, cancellationToken) }.OfType<string>()];
        return problems.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", problems));
    }
}
