using Microsoft.Extensions.Logging;

namespace StreamSentinel.Detection.Diagnostics;

/// <summary>Log messages of the detection worker. Event ids 5000-5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Detection worker {Instance} joining group {Group} on {Topic} with model {Model} {Version}")]
    public static partial void Starting(ILogger logger, string instance, string group, string topic, string model, string version);

    [LoggerMessage(5001, LogLevel.Information, "Assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(5002, LogLevel.Information, "Revoked {Partitions}; {Dropped} unfinished transactions of theirs left to the next owner")]
    public static partial void Revoked(ILogger logger, string partitions, int dropped);

    [LoggerMessage(5003, LogLevel.Warning, "A batch of {Messages} transactions failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void BatchFailed(ILogger logger, int messages, int attempt, int delayMs, Exception exception);

    [LoggerMessage(5004, LogLevel.Warning, "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason} ({Detail})")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string reason, string detail);

    [LoggerMessage(5005, LogLevel.Warning, "Commit failed: {Reason}; the batch's results are published and a replay gives the same ones")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(5006, LogLevel.Warning, "Consume error: {Reason}")]
    public static partial void ConsumeError(ILogger logger, string reason);

    [LoggerMessage(5007, LogLevel.Critical, "Fatal Kafka error: {Reason}")]
    public static partial void FatalKafkaError(ILogger logger, string reason);

    [LoggerMessage(5008, LogLevel.Information, "Detection worker stopped; last batch: {Outcome}")]
    public static partial void Stopped(ILogger logger, string outcome);
}
