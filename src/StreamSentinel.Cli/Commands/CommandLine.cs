using System.CommandLine;

namespace StreamSentinel.Cli.Commands;

/// <summary>The command tree of <c>stream-sentinel</c>.</summary>
internal static class CommandLine
{
    /// <summary>Every command's <c>--verbose</c>: the stack trace after the one-line message of a server failure.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "After the one-line message for a server that cannot be reached or refuses, print the exception's stack trace.",
        Recursive = true,
    };

    public static RootCommand Build() =>
        new("Stream-Sentinel: real-time fraud detection results, persisted into PostgreSQL and ClickHouse.\n\n"
            + "Exit codes of every command: 0 done; 1 failed (a bug: the stack trace follows); 2 invalid configuration; "
            + "3 migrate refused; 4 verify found lost, duplicated or misrouted data. A server that does not serve a command "
            + "(PostgreSQL, ClickHouse, Redis, Kafka) is one line naming it, its address, the cause and what to try, and exits with "
            + "10 unreachable (connection refused, host not found), 11 timed out, 12 authentication failed, 13 database missing, "
            + "14 schema not migrated (a table, view or topic missing); --verbose adds the stack trace.")
        {
            MigrateCommand.Create(),
            DescribeCommand.Create(),
            RetentionCommand.Create(),
            RunCommand.Create(),
            SimulateCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            GenerateCommand.Create(),
            VerifyCommand.Create(),
            LagCommand.Create(),
            PerformanceCommand.Create(),
            BiCommand.Create(),
            WatchCommand.Create(),
            BenchCommand.Create(),
            ChaosCommand.Create(),
            HashPasswordCommand.Create(),
            Verbose,
        };
}
