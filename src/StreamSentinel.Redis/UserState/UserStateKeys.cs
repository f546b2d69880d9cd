using StackExchange.Redis;

namespace StreamSentinel.Redis.UserState;

/// <summary>
/// The keys of one user's state. They share a hash tag (the user id in braces), so a Redis Cluster keeps them in
/// one slot and the state script, which touches all four, runs on one node.
/// </summary>
public static class UserStateKeys
{
    public static RedisKey[] For(string prefix, string userId) =>
    [
        $"{prefix}{{{userId}}}:state",
        $"{prefix}{{{userId}}}:window",
        $"{prefix}{{{userId}}}:merchants",
        $"{prefix}{{{userId}}}:seen",
    ];
}
