using Microsoft.Extensions.Logging;

namespace StreamSentinel.AnalystConsole.Diagnostics;

/// <summary>Log messages of the console. Event ids 7000-7099.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Warning, "BI query {Query} went past a limit of the BI account (ClickHouse error {ErrorCode}); answered 422")]
    public static partial void BiLimitReached(ILogger logger, string query, int errorCode, Exception exception);

    [LoggerMessage(7001, LogLevel.Warning, "Fleet probe of {Worker} at {Url} failed; the page shows it as unreachable")]
    public static partial void ProbeFailed(ILogger logger, string worker, string url, Exception exception);
}
