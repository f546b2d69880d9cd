using StackExchange.Redis;

namespace StreamSentinel.Redis.UserState;

/// <summary>
/// The keys of one input partition's state: a hash of its users' stored states and a hash of its checkpoint (epoch,
/// applied offset, publishing limit). Both carry the partition in a hash tag, so a Redis Cluster keeps them in one
/// slot and a checkpoint writes both atomically. Kafka topic names cannot contain braces, so no input can break the
/// tag (a user id is only ever a field inside the hash).
/// </summary>
public static class UserStateKeys
{
    public static RedisKey Users(string prefix, string topic, int partition) => $"{prefix}{{{topic}/{partition}}}:users";

    public static RedisKey Meta(string prefix, string topic, int partition) => $"{prefix}{{{topic}/{partition}}}:meta";
}
