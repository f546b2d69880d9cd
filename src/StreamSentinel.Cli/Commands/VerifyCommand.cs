using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Persistence.DependencyInjection;
using StreamSentinel.Persistence.Verification;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>verify</c>: the integrity report. Exit code 0 only when nothing is lost, duplicated or misrouted.</summary>
internal static class VerifyCommand
{
    /// <summary>Exit code when a store has lost, duplicated or misrouted anything.</summary>
    public const int IntegrityFailed = 4;

    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print the report as JSON (README, \"verify --json\") instead of the table; the exit code is the same.",
        };
        var command = new Command(
            "verify",
            "Compare fraud-detection-results (up to the persistence group's committed offsets) with PostgreSQL alerts, each ClickHouse "
            + "table and view (hour by hour), and the dead-letter topic, and the operational streams (audit-events, performance-metrics) with "
            + "system_audit_log, performance_metrics and its hourly view: lost, duplicated, misrouted, and unknown (rows or alerts no message "
            + "in Kafka accounts for) per store. Exit code 4 if any is not zero.")
        {
            json,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, builder => builder.AddPersistenceCore(), async services =>
        {
            var report = await services.GetRequiredService<IntegrityVerifier>().VerifyAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.IntegrityReport));
            }
            else
            {
                Print(report);
            }

            return report.Passed ? 0 : IntegrityFailed;
        }));
        return command;
    }

    private static void Print(IntegrityReport report)
    {
        AnsiConsole.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Kafka: {report.Messages:N0} committed messages ({report.Valid:N0} valid results, {report.Poison:N0} poison); {report.Uncommitted:N0} not yet committed."));
        if (report.Repeats > 0)
        {
            AnsiConsole.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Repeats: {report.Repeats:N0} results carry an event published before (detection saw its transaction again); each event must be stored once."));
        }
        if (report.KafkaTruncated)
        {
            AnsiConsole.WriteLine("Note: Kafka has deleted old messages (low watermark above 0); only what it still holds is verified.");
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("store").AddColumn("expected", c => c.RightAligned()).AddColumn("found", c => c.RightAligned())
            .AddColumn("lost", c => c.RightAligned()).AddColumn("duplicated", c => c.RightAligned()).AddColumn("misrouted", c => c.RightAligned())
            .AddColumn("unknown", c => c.RightAligned()).AddColumn("");
        foreach (var check in report.Checks)
        {
            table.AddRow(
                Markup.Escape(check.Store),
                Count(check.Expected),
                Count(check.Found),
                Count(check.Lost),
                Count(check.Duplicated),
                Count(check.Misrouted),
                Count(check.Unknown),
                check.Passed ? "ok" : "[red]FAILED[/]");
        }

        AnsiConsole.Write(table);
        foreach (var check in report.Checks.Where(c => c.Note is not null))
        {
            AnsiConsole.WriteLine($"  {check.Store}: {check.Note}");
        }

        AnsiConsole.WriteLine(
            report.Passed ? "Integrity: OK (0 lost, 0 duplicated, 0 misrouted, 0 unknown)."
            : report.Messages == 0 ? "Integrity: NOT VERIFIED: the persistence group has committed nothing."
            : "Integrity: FAILED.");
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
