using StackExchange.Redis;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.Evaluation;

/// <summary>
/// A key prefix of its own in Redis, for worker processes of a benchmark or a chaos run that must neither read nor
/// disturb the live pipeline's state in the same Redis (<c>UserState__KeyPrefix</c>). Its keys are deleted when it is
/// disposed.
/// </summary>
public sealed class ScratchState(IConnectionMultiplexer redis, UserStateOptions template) : IAsyncDisposable
{
    private readonly string _prefix = $"{template.KeyPrefix}scratch-{Guid.NewGuid():N}:";

    /// <summary>The key prefix of this state, for a worker process that should use it (<c>UserState__KeyPrefix</c>).</summary>
    public string Prefix => _prefix;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var batch = new List<RedisKey>(1000);
            await foreach (var key in server.KeysAsync(pattern: _prefix + "*", pageSize: 1000))
            {
                batch.Add(key);
                if (batch.Count == 1000)
                {
                    await DeleteAsync(batch);
                }
            }

            await DeleteAsync(batch);
        }
    }

    // One DEL per key: in a cluster the keys of different partitions live in different slots.
    private async Task DeleteAsync(List<RedisKey> keys)
    {
        var database = redis.GetDatabase();
        await Task.WhenAll(keys.Select(k => database.KeyDeleteAsync(k, CommandFlags.FireAndForget)));
        keys.Clear();
    }
}
