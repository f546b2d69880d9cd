using Microsoft.Extensions.Logging;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Migrations.Diagnostics;

/// <summary>Log messages of the migrator. Event ids 3000-3099.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "{Target}: applied {Script} in {ElapsedMs} ms")]
    public static partial void ScriptApplied(ILogger logger, MigrationTarget target, string script, long elapsedMs);

    [LoggerMessage(3001, LogLevel.Warning, "{Target}: {Script} left pending: {Reason}")]
    public static partial void ScriptDeferred(ILogger logger, MigrationTarget target, string script, string reason);

    [LoggerMessage(3002, LogLevel.Error, "{Target}: {Script} failed; it was not recorded and will run again next time")]
    public static partial void ScriptFailed(ILogger logger, MigrationTarget target, string script, Exception exception);
}
