using System.CommandLine;

namespace StreamSentinel.Cli.Commands;

/// <summary>The command tree of <c>stream-sentinel</c>.</summary>
internal static class CommandLine
{
    public static RootCommand Build() =>
        new("Stream-Sentinel: real-time fraud detection results, persisted into PostgreSQL and ClickHouse.")
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
        };
}
