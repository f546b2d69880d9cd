using Microsoft.Extensions.Logging;

namespace StreamSentinel.Detection.Diagnostics;

/// <summary>Log messages of the detection worker. Event ids 5000-5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Detection worker {Instance} joining group {Group} on {Topic} with model {Model} {Version}")]
    public static partial void Starting(ILogger logger, string instance, string group, string topic, string model, string version);

    [LoggerMessage(5001, LogLevel.Information, "Assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(5002, LogLevel.Information, "Revoked {Partitions}; {Dropped} transactions read but not applied left to the next owner; state: {Outcome}")]
    public static partial void Revoked(ILogger logger, string partitions, int dropped, string outcome);

    [LoggerMessage(5003, LogLevel.Warning, "Redis {Operation} failed (attempt {Attempt}); trying again in {DelayMs} ms: {Reason}")]
    public static partial void RedisFailed(ILogger logger, string operation, int attempt, int delayMs, string reason);

    [LoggerMessage(5004, LogLevel.Warning, "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason} ({Detail})")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string reason, string detail);

    [LoggerMessage(5005, LogLevel.Warning, "Commit failed: {Reason}; it is made again with the next checkpoint")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(5006, LogLevel.Warning, "Consume error: {Reason}")]
    public static partial void ConsumeError(ILogger logger, string reason);

    [LoggerMessage(5007, LogLevel.Critical, "Fatal Kafka error: {Reason}")]
    public static partial void FatalKafkaError(ILogger logger, string reason);

    [LoggerMessage(5008, LogLevel.Information, "Detection worker stopped; state: {Outcome}")]
    public static partial void Stopped(ILogger logger, string outcome);

    [LoggerMessage(5009, LogLevel.Information, "Claimed {Partition}: epoch {Epoch}, state applied up to offset {Applied}, results up to offset {PreviousLimit} may repeat")]
    public static partial void Claimed(ILogger logger, string partition, long epoch, long applied, long previousLimit);

    [LoggerMessage(5010, LogLevel.Warning, "The stored state of user {User} in {Partition} is unreadable ({Reason}); the user starts afresh")]
    public static partial void StateUnreadable(ILogger logger, string user, string partition, string reason);

    [LoggerMessage(5011, LogLevel.Warning, "A delivery to {Topic} failed ({Reason}); it is sent again")]
    public static partial void DeliveryFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(5012, LogLevel.Warning, "A checkpoint of {Partitions} partitions failed (attempt {Attempt}); it is written again")]
    public static partial void CheckpointFailed(ILogger logger, int partitions, int attempt, Exception exception);

    [LoggerMessage(5013, LogLevel.Warning, "{Partition} was claimed by another worker: this one stops applying it")]
    public static partial void Fenced(ILogger logger, string partition);

    [LoggerMessage(5014, LogLevel.Warning, "Partitions leaving could not be saved; the next owner restores them from the last checkpoint")]
    public static partial void HandOverFailed(ILogger logger, Exception exception);
}
