using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace StreamSentinel.Kafka.Diagnostics;

/// <summary>
/// librdkafka's own log lines (a broker down, a rebalance in trouble, a message timing out) forwarded to
/// <see cref="ILogger"/>, with the client's name in each message. Every Kafka client of the fleet is built with
/// <c>.LogTo(logger)</c>: a handler that drops them hides the first sign of a broker going away (issue 21), and no
/// handler at all lets librdkafka write to standard error around the host's logging.
/// </summary>
public static partial class KafkaClientLog
{
    /// <summary>The category of the loggers static helpers create for their clients.</summary>
    public const string Category = "StreamSentinel.Kafka.Librdkafka";

    /// <summary>librdkafka's syslog levels (0 emergency … 7 debug) as .NET log levels.</summary>
    public static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>The handler every builder installs.</summary>
    public static Action<IClient, LogMessage> Handler(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return (_, message) => Forward(logger, message);
    }

    public static ProducerBuilder<TKey, TValue> LogTo<TKey, TValue>(this ProducerBuilder<TKey, TValue> builder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.SetLogHandler(Handler(logger));
    }

    public static ConsumerBuilder<TKey, TValue> LogTo<TKey, TValue>(this ConsumerBuilder<TKey, TValue> builder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.SetLogHandler(Handler(logger));
    }

    public static AdminClientBuilder LogTo(this AdminClientBuilder builder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.SetLogHandler(Handler(logger));
    }

    /// <summary>One librdkafka line: its level mapped, the client's name (e.g. <c>rdkafka#consumer-3</c>) and facility kept.</summary>
    public static void Forward(ILogger logger, LogMessage message)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(message);
        var level = LevelOf(message.Level);
        if (logger.IsEnabled(level))
        {
            Librdkafka(logger, level, message.Name, message.Facility, message.Message);
        }
    }

    [LoggerMessage(EventId = 100, Message = "librdkafka {Client} {Facility}: {Text}")]
    private static partial void Librdkafka(ILogger logger, LogLevel level, string client, string facility, string text);
}
