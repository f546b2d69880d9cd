using ClickHouse.Driver;

namespace StreamSentinel.ClickHouse.Health;

public static class ClickHouseProbe
{
    /// <summary>Null when ClickHouse answers its ping; otherwise what went wrong, for a readiness report.</summary>
    public static async Task<string?> ProblemAsync(ClickHouseClient clickHouse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clickHouse);
        try
        {
            return await clickHouse.PingAsync(new QueryOptions(), cancellationToken) ? null : "ClickHouse: ping failed";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ClickHouseServerException)
        {
            return $"ClickHouse: {e.Message}";
        }
    }
}
