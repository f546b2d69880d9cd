using System.CommandLine;
using Spectre.Console;
using StreamSentinel.ClickHouse.DependencyInjection;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Output;
using StreamSentinel.Domain;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>performance</c>: the fleet's own performance table, read back from ClickHouse (performance_metrics_hourly).</summary>
internal static class PerformanceCommand
{
    private static readonly string Query = EmbeddedSql.Read(typeof(ClickHouseDatabase).Assembly, "sql/queries/clickhouse/fleet_performance.sql");

    private static readonly string[] Headings =
    [
        "kind", "worker", "snapshots", "seconds", "in", "out", "out/s", "batches", "flush p99", "e2e p50", "e2e p99", "max lag",
        "errors", "dlq", "dropped",
    ];

    public static Command Create()
    {
        var hours = new Option<int>("--hours") { Description = "How many hours back, counting the current one.", DefaultValueFactory = _ => 1 };
        hours.Validators.Add(result =>
        {
            if (result.GetValue(hours) is < 1 or > 24 * 366)
            {
                result.AddError("--hours must be between 1 and 8784.");
            }
        });
        var csv = new Option<bool>("--csv") { Description = "Print CSV instead of a table." };
        var command = new Command(
            "performance",
            "Show the fleet's own performance per worker (throughput, batches, latency percentiles, lag, errors, dead letters, dropped "
            + "snapshots), from the snapshots the workers publish to performance-metrics and the persistence fleet stores in ClickHouse.")
        {
            hours, csv,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, builder => builder.AddClickHouse(), async services =>
        {
            var since = DateTimeOffset.UtcNow.AddHours(1 - parse.GetValue(hours));
            var rows = await services.GetRequiredService<ClickHouseDatabase>().QueryTsvAsync(
                Query.Replace("{since}", ClickHouseLiteral.DateTime(since), StringComparison.Ordinal), cancellationToken);
            if (parse.GetValue(csv))
            {
                QueryOutput.Csv(Headings, rows);
            }
            else if (rows.Count == 0)
            {
                AnsiConsole.WriteLine("No performance snapshots stored in that time: are the workers and the persistence fleet running?");
            }
            else
            {
                // The snapshot count stays in the CSV: the table keeps to a terminal's width.
                var shown = Enumerable.Range(0, Headings.Length).Where(i => Headings[i] != "snapshots").ToList();
                QueryOutput.Table(
                    [.. shown.Select(i => Headings[i])],
                    rows.Select(row => shown.Select(i => row[i]).ToArray()),
                    textColumns: 2,
                    "latencies in ms: worst p99 and typical p50 of the snapshot intervals; out/s averaged over the seconds reported");
            }

            return 0;
        }));
        return command;
    }
}
