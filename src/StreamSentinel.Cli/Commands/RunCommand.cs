using System.CommandLine;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run &lt;worker&gt;</c>: each worker is a long-running Generic Host that stops cleanly on SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create() =>
        new("run", "Run one long-lived process of the fleet until SIGTERM or Ctrl+C.")
        {
            BrokerCommand.Create(),
            ConsoleCommand.Create(),
            DetectionCommand.Create(),
            GatewayCommand.Create(),
            PersistenceCommand.Create(),
        };
}
