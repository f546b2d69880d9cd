using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace StreamSentinel.Redis.UserState;

/// <summary>
/// Redis as the durable changelog of the detection state: the worker that owns an input partition keeps its users'
/// state in memory and writes here, once per checkpoint, every user it changed and the offset it applied up to.
/// A new owner claims the partition (fencing the old one), then reads users as their transactions arrive.
/// </summary>
public sealed class StateChangelog(IConnectionMultiplexer redis, IOptions<UserStateOptions> options)
{
    private static readonly RedisScript Claim = RedisScript.Embedded("claim.lua");
    private static readonly RedisScript Checkpoint = RedisScript.Embedded("checkpoint.lua");

    // HMGET in chunks: one command per chunk keeps Redis's other clients from waiting behind a huge reply.
    private const int LoadChunk = 1000;

    private readonly string _prefix = options.Value.KeyPrefix;

    /// <summary>
    /// Takes the partition over: from now on, only this caller's checkpoints are written. <paramref name="maxAhead"/>
    /// is how far past its checkpoint this owner will publish, recorded so that a successor knows what may repeat.
    /// </summary>
    public async Task<PartitionClaim> ClaimAsync(string topic, int partition, string owner, long maxAhead, CancellationToken cancellationToken)
    {
        var reply = await Claim.EvaluateAsync(redis.GetDatabase(), [UserStateKeys.Meta(_prefix, topic, partition)], [owner, maxAhead])
            .WaitAsync(cancellationToken);
        var values = (RedisResult[])reply!;
        return new PartitionClaim((long)values[0], (long)values[1], (long)values[2], (long)values[3]);
    }

    /// <summary>The stored states of <paramref name="users"/>, in their order; null for a user the partition never stored.</summary>
    public async Task<byte[]?[]> LoadAsync(string topic, int partition, IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        var database = redis.GetDatabase();
        var key = UserStateKeys.Users(_prefix, topic, partition);
        var calls = new List<Task<RedisValue[]>>((users.Count / LoadChunk) + 1);
        for (var start = 0; start < users.Count; start += LoadChunk)
        {
            var fields = new RedisValue[Math.Min(LoadChunk, users.Count - start)];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = users[start + i];
            }

            calls.Add(database.HashGetAsync(key, fields));
        }

        var states = new byte[]?[users.Count];
        var replies = await Task.WhenAll(calls).WaitAsync(cancellationToken);
        var at = 0;
        foreach (var reply in replies)
        {
            foreach (var value in reply)
            {
                states[at++] = value.IsNull ? null : (byte[])value!;
            }
        }

        return states;
    }

    /// <summary>
    /// Writes the changed users and the applied offset in one atomic step, if this caller still owns the partition.
    /// Returns the owner's new publishing limit, or null when another owner has claimed the partition since.
    /// </summary>
    public async Task<long?> WriteAsync(
        string topic, int partition, long epoch, long appliedOffset, long maxAhead,
        IReadOnlyList<KeyValuePair<string, byte[]>> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        var args = new RedisValue[3 + (2 * users.Count)];
        args[0] = epoch;
        args[1] = appliedOffset;
        args[2] = maxAhead;
        var a = 3;
        foreach (var (user, state) in users)
        {
            args[a++] = user;
            args[a++] = state;
        }

        var reply = await Checkpoint.EvaluateAsync(
            redis.GetDatabase(), [UserStateKeys.Meta(_prefix, topic, partition), UserStateKeys.Users(_prefix, topic, partition)], args)
            .WaitAsync(cancellationToken);
        var limit = (long)reply;
        return limit < 0 ? null : limit;
    }
}
