using Microsoft.Extensions.Logging;

namespace StreamSentinel.AnalystConsole.Diagnostics;

/// <summary>Log messages of the console. Event ids 7000-7099.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Warning, "BI query {Query} went past a limit of the BI account (ClickHouse error {ErrorCode}); answered 422")]
    public static partial void BiLimitReached(ILogger logger, string query, int errorCode, Exception exception);

    [LoggerMessage(7001, LogLevel.Warning, "Fleet probe of {Worker} at {Url} failed; the page shows it as unreachable")]
    public static partial void ProbeFailed(ILogger logger, string worker, string url, Exception exception);

    [LoggerMessage(7002, LogLevel.Information, "Listening for alert notifications on channel {Channel}")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(7003, LogLevel.Warning, "The alert notification connection failed (attempt {Attempt}); listening again in about {DelayMs} ms")]
    public static partial void ListenFailed(ILogger logger, int attempt, int delayMs, Exception exception);

    [LoggerMessage(7004, LogLevel.Warning, "An alert notification could not be read and was dropped: {Payload}")]
    public static partial void UnreadableNotification(ILogger logger, string payload);

    [LoggerMessage(7005, LogLevel.Information, "Round-robin assignment of new cases among {Analysts}")]
    public static partial void RoundRobinStarted(ILogger logger, string analysts);

    [LoggerMessage(7006, LogLevel.Information, "Round-robin gave {Assigned} of {Seen} new cases to analysts")]
    public static partial void RoundRobinAssigned(ILogger logger, int assigned, int seen);

    [LoggerMessage(7007, LogLevel.Warning, "A round-robin round failed (attempt {Attempt}); trying again in about {DelayMs} ms")]
    public static partial void RoundRobinFailed(ILogger logger, int attempt, int delayMs, Exception exception);
}
