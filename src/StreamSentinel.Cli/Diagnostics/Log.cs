
namespace StreamSentinel.Cli.Diagnostics;

/// <summary>Log messages of the CLI and its hosts. Event ids: 1000-1099 hosting, 1100-1199 broker.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Critical, "Configuration is invalid: {Failures}")]
    public static partial void InvalidConfiguration(ILogger logger, string failures);

    [LoggerMessage(1001, LogLevel.Critical, "The host failed")]
    public static partial void HostFailed(ILogger logger, Exception exception);

    [LoggerMessage(1002, LogLevel.Information, "Health, readiness and metrics on {Addresses} (/healthz, /readyz, /metrics)")]
    public static partial void Listening(ILogger logger, string addresses);

    [LoggerMessage(1100, LogLevel.Information, "Development broker ready: {Brokers} brokers at {BootstrapServers}; topics {Topics}")]
    public static partial void BrokerReady(ILogger logger, int brokers, string bootstrapServers, string topics);

    [LoggerMessage(1101, LogLevel.Information, "Bootstrap servers written to {Path}")]
    public static partial void BootstrapFileWritten(ILogger logger, string path);

    [LoggerMessage(1102, LogLevel.Information, "Development broker stopping; its topics, data and consumer offsets are discarded")]
    public static partial void BrokerStopping(ILogger logger);
}
