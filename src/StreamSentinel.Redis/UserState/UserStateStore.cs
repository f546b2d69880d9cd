using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Redis.UserState;

/// <summary>
/// Applies transactions to the users' state and returns, for each, the state just before it. One script call per
/// user in the batch, all sent at once: StackExchange.Redis pipelines them, so a batch costs one round trip.
/// </summary>
public sealed class UserStateStore(IConnectionMultiplexer redis, IOptions<UserStateOptions> options)
{
    private static readonly string Script = ReadScript();
#pragma warning disable CA5350 // Redis names cached scripts by their SHA-1 (EVALSHA); nothing here depends on its strength.
    private static readonly byte[] ScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Script));
#pragma warning restore CA5350

    private readonly UserStateOptions _options = options.Value;

    /// <summary>Snapshots in the order of <paramref name="transactions"/>; a user's transactions are applied in that order.</summary>
    public async Task<UserStateSnapshot[]> ApplyAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var database = redis.GetDatabase();
        var byUser = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < transactions.Count; i++)
        {
            if (!byUser.TryGetValue(transactions[i].UserId, out var indexes))
            {
                byUser[transactions[i].UserId] = indexes = [];
            }

            indexes.Add(i);
        }

        var calls = new List<(List<int> Indexes, Task<RedisResult> Reply)>(byUser.Count);
        foreach (var (user, indexes) in byUser)
        {
            calls.Add((indexes, EvaluateAsync(database, UserStateKeys.For(_options.KeyPrefix, user), Arguments(transactions, indexes))));
        }

        var snapshots = new UserStateSnapshot[transactions.Count];
        await Task.WhenAll(calls.Select(c => c.Reply)).WaitAsync(cancellationToken);
        foreach (var (indexes, reply) in calls)
        {
            var values = (RedisResult[])(await reply)!;
            for (var k = 0; k < indexes.Count; k++)
            {
                snapshots[indexes[k]] = UserStateSnapshot.Parse((string)values[k]!);
            }
        }

        return snapshots;
    }

    private RedisValue[] Arguments(IReadOnlyList<Transaction> transactions, List<int> indexes)
    {
        var args = new RedisValue[4 + (10 * indexes.Count)];
        args[0] = (long)TimeSpan.FromDays(_options.RetentionDays).TotalSeconds;
        args[1] = _options.MerchantsKept;
        args[2] = (long)TimeSpan.FromHours(_options.RedeliveryHorizonHours).TotalMilliseconds;
        args[3] = (long)TimeSpan.FromHours(_options.DeviceTrustHours).TotalMilliseconds;
        var a = 4;
        foreach (var i in indexes)
        {
            var t = transactions[i];
            args[a++] = t.EventId;
            args[a++] = t.EventTime.ToUnixTimeMilliseconds();
            // In the reference currency, so that a history spanning trips abroad adds up.
            args[a++] = t.ReferenceAmount().ToString(CultureInfo.InvariantCulture);
            args[a++] = t.Latitude.ToString("R", CultureInfo.InvariantCulture);
            args[a++] = t.Longitude.ToString("R", CultureInfo.InvariantCulture);
            args[a++] = t.Country;
            args[a++] = t.DeviceId;
            args[a++] = t.MerchantId;
            args[a++] = t.MerchantCategory;
            args[a++] = t.EventTime.UtcDateTime.Hour;
        }

        return args;
    }

    // EVALSHA first: the script is sent in full only to a server that has not cached it yet (after a restart or a failover).
    private static async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(ScriptSha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Script, keys, args);
        }
    }

    private static string ReadScript()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("StreamSentinel.Redis.UserState.user_state.lua")
            ?? throw new InvalidOperationException("The user-state script is not embedded in StreamSentinel.Redis.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
