using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Migrations.DependencyInjection;
using StreamSentinel.Migrations.Retention;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>retention</c>: drops ClickHouse partitions past retention, for servers without TTL (18.16).</summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List the partitions that would be dropped; drop nothing." };
        var command = new Command(
            "retention",
            "Drop ClickHouse monthly partitions whose rows are all past retention (2 years for transactions and results, "
            + "1 year for features, as sql/clickhouse's TTL script says). Needed on servers without TTL (ClickHouse 18.16); "
            + "run it daily from cron.")
        {
            dryRun,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, builder => builder.AddClickHouseRetention(), async services =>
        {
            var retention = services.GetRequiredService<PartitionRetention>();
            var expired = await retention.FindExpiredAsync(DateTimeOffset.UtcNow, cancellationToken);
            foreach (var partition in expired)
            {
                if (!parse.GetValue(dryRun))
                {
                    await retention.DropAsync(partition, cancellationToken);
                }

                AnsiConsole.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(parse.GetValue(dryRun) ? "would drop" : "dropped")} {partition.Table} partition {partition.Partition} ({partition.Rows:N0} rows)"));
            }

            AnsiConsole.WriteLine(expired.Count == 0 ? "Nothing is past retention." : $"{expired.Count} partition(s) past retention.");
            return 0;
        }));
        return command;
    }
}
