using Microsoft.Extensions.Logging;

namespace StreamSentinel.Gateway.Diagnostics;

/// <summary>Log messages of the gateway. Event ids 6000-6099.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Warning, "Delivery of {EventId} failed (attempt {Attempt}): {Reason}; trying again in about {DelayMs} ms")]
    public static partial void DeliveryFailed(ILogger logger, string eventId, int attempt, string reason, int delayMs);

    [LoggerMessage(6002, LogLevel.Critical, "{Count} accepted transactions were not acknowledged by Kafka before the shutdown timeout: they are lost")]
    public static partial void LostOnShutdown(ILogger logger, int count);

    [LoggerMessage(6003, LogLevel.Error, "Producing {EventId} again failed")]
    public static partial void RetryFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(6001, LogLevel.Information, "Intake closed; queue drained and flushed in {Milliseconds:F0} ms ({Left} transactions still unacknowledged)")]
    public static partial void Drained(ILogger logger, double milliseconds, int left);
}
