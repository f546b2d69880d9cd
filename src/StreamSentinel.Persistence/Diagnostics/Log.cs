using Microsoft.Extensions.Logging;

namespace StreamSentinel.Persistence.Diagnostics;

/// <summary>Log messages of the persistence worker. Event ids 4000-4099.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Persistence worker {Instance} joining group {Group} on {Topic}")]
    public static partial void Starting(ILogger logger, string instance, string group, string topic);

    [LoggerMessage(4001, LogLevel.Information, "Assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(4002, LogLevel.Information, "Revoked {Partitions}; {Dropped} uncommitted messages of theirs left to the next owner")]
    public static partial void Revoked(ILogger logger, string partitions, int dropped);

    [LoggerMessage(4003, LogLevel.Warning, "Writing a batch of {Messages} failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void WriteFailed(ILogger logger, int messages, int attempt, int delayMs, Exception exception);

    [LoggerMessage(4004, LogLevel.Error, "Writes of {Stream} keep failing; partitions paused and the batch of {Messages} held until the databases answer")]
    public static partial void Paused(ILogger logger, string stream, int messages);

    [LoggerMessage(4005, LogLevel.Information, "Databases answer again; partitions of {Stream} resumed")]
    public static partial void Resumed(ILogger logger, string stream);

    [LoggerMessage(4006, LogLevel.Warning, "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason} ({Detail})")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string reason, string detail);

    [LoggerMessage(4007, LogLevel.Warning, "Commit failed ({Reason}); the batch is stored and will be skipped on replay")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(4008, LogLevel.Error, "Kafka consume error: {Reason}")]
    public static partial void ConsumeError(ILogger logger, string reason);

    [LoggerMessage(4009, LogLevel.Critical, "Fatal Kafka error: {Reason}")]
    public static partial void FatalKafkaError(ILogger logger, string reason);

    [LoggerMessage(4010, LogLevel.Information, "Stopped: last batch {Outcome}")]
    public static partial void Stopped(ILogger logger, string outcome);

    [LoggerMessage(4011, LogLevel.Warning, "Writing a ClickHouse block of {Rows} results failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void BlockWriteFailed(ILogger logger, int rows, int attempt, int delayMs, Exception exception);
}
