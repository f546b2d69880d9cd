using StackExchange.Redis;

namespace StreamSentinel.Redis;

/// <summary>A summary of the Redis server for people (the <c>describe</c> command).</summary>
public sealed record RedisServerInfo(string Endpoint, string Version, long Keys, string Persistence)
{
    /// <summary>Reads it over a short-lived admin connection: INFO and DBSIZE need admin mode, which workers never get.</summary>
    public static async Task<RedisServerInfo> ReadAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AllowAdmin = true;
        options.ClientName = "stream-sentinel-describe";
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var server = redis.GetServers().First();
        var persistence = (await server.InfoAsync("persistence")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return new RedisServerInfo(
            server.EndPoint.ToString() ?? "?",
            server.Version.ToString(),
            await server.DatabaseSizeAsync(),
            persistence.GetValueOrDefault("aof_enabled") == "1" ? "append-only file" : "none (memory only)");
    }
}
