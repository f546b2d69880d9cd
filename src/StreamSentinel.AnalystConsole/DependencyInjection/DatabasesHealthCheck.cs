using ClickHouse.Driver;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace StreamSentinel.AnalystConsole.DependencyInjection;

/// <summary>Ready when PostgreSQL (alerts) and ClickHouse (recent payments) both answer.</summary>
internal sealed class DatabasesHealthCheck(NpgsqlDataSource postgres, ClickHouseClient clickHouse) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
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
