using System.Runtime.CompilerServices;
using StackExchange.Redis;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Domain.Simulation;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.Evaluation;

/// <summary>
/// User state under a prefix of its own, for training and evaluation runs that must neither read nor disturb the
/// live pipeline's state in the same Redis. Its keys are deleted when it is disposed.
/// </summary>
public sealed class ScratchState(IConnectionMultiplexer redis, UserStateOptions template) : IAsyncDisposable
{
    private readonly string _prefix = $"{template.KeyPrefix}scratch-{Guid.NewGuid():N}:";

    /// <summary>The key prefix of this state, for a worker process that should use it (<c>UserState__KeyPrefix</c>).</summary>
    public string Prefix => _prefix;

    /// <summary>Applies the stream to fresh state in batches, as the worker would, and yields each transaction with its snapshot.</summary>
    public async IAsyncEnumerable<(SimulatedTransaction Simulated, UserStateSnapshot State)> ApplyAsync(
        IEnumerable<SimulatedTransaction> stream, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var store = new UserStateStore(redis, Microsoft.Extensions.Options.Options.Create(new UserStateOptions
        {
            KeyPrefix = _prefix,
            RetentionDays = 1,
            MerchantsKept = template.MerchantsKept,
            RedeliveryHorizonHours = template.RedeliveryHorizonHours,
            DeviceTrustHours = template.DeviceTrustHours,
        }));
        foreach (var chunk in stream.Chunk(batchSize))
        {
            var snapshots = await store.ApplyAsync([.. chunk.Select(s => s.Transaction)], cancellationToken);
            for (var i = 0; i < chunk.Length; i++)
            {
                yield return (chunk[i], snapshots[i]);
            }
        }
    }

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

    // One DEL per key: in a cluster the keys of different users live in different slots.
    private async Task DeleteAsync(List<RedisKey> keys)
    {
        var database = redis.GetDatabase();
        await Task.WhenAll(keys.Select(k => database.KeyDeleteAsync(k, CommandFlags.FireAndForget)));
        keys.Clear();
    }
}
