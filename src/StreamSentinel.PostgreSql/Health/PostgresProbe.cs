using Npgsql;

namespace StreamSentinel.PostgreSql.Health;

public static class PostgresProbe
{
    /// <summary>Null when PostgreSQL answers a <c>SELECT 1</c>; otherwise what went wrong, for a readiness report.</summary>
    public static async Task<string?> ProblemAsync(NpgsqlDataSource postgres, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        try
        {
            await using var command = postgres.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return $"PostgreSQL: {e.Message}";
        }
    }
}
