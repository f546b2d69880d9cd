using System.CommandLine;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.Accounts;
using StreamSentinel.Migrations.DependencyInjection;
using StreamSentinel.Migrations.Scripts;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>migrate</c>: applies sql/postgres and sql/clickhouse, forward-only, each script once.</summary>
internal static class MigrateCommand
{
    /// <summary>Exit code when the journal and the scripts disagree (an edited or unknown script), or an account cannot be least-privilege.</summary>
    public const int Refused = 3;

    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be applied; apply no script (only the journal table is created if missing)." };
        var command = new Command(
            "migrate",
            "Apply the numbered SQL scripts of sql/postgres and sql/clickhouse that each database has not seen yet, "
            + "then make the least-privilege accounts match their connection strings (SS_POSTGRES_WRITER, SS_POSTGRES_ANALYST, SS_CLICKHOUSE_BI, SS_CLICKHOUSE_WRITER). "
            + "A second run changes nothing; an applied script that was edited is refused.")
        {
            dryRun,
        };
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder => builder.AddSchemaMigrator(),
            async services =>
            {
                try
                {
                    var report = await services.GetRequiredService<SchemaMigrator>().MigrateAsync(parse.GetValue(dryRun), cancellationToken);
                    Print(report);
                    if (!parse.GetValue(dryRun))
                    {
                        Print(await services.GetRequiredService<DatabaseAccounts>().EnsureAsync(
                            AccountConnectionStrings.From(services.GetRequiredService<IConfiguration>()), cancellationToken));
                    }

                    return 0;
                }
                catch (AccountException e)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]Accounts: {e.Message}[/]");
                    return Refused;
                }
                catch (MigrationRefusedException e)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]{e.Target}: migrations refused; nothing was run in any database.[/]");
                    foreach (var problem in e.Problems)
                    {
                        AnsiConsole.MarkupLineInterpolated($"  - {problem}");
                    }

                    return Refused;
                }
            }));
        return command;
    }

    private static void Print(MigrationReport report)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("database", "script", "result", "time");
        foreach (var outcome in report.Outcomes)
        {
            table.AddRow(
                Markup.Escape(outcome.Target.ToString()),
                Markup.Escape(outcome.Script),
                Markup.Escape(outcome.Action switch
                {
                    MigrationAction.Applied => "applied",
                    MigrationAction.WouldApply => "would apply",
                    _ => $"pending: {outcome.Reason}",
                }),
                outcome.Action == MigrationAction.Applied ? $"{outcome.Elapsed.TotalMilliseconds:F0} ms" : "");
        }

        if (report.Outcomes.Count > 0)
        {
            AnsiConsole.Write(table);
        }

        foreach (var (target, count) in report.AlreadyApplied)
        {
            var now = report.Outcomes.Count(o => o.Target == target && o.Action == MigrationAction.Applied);
            AnsiConsole.WriteLine($"{target}: {now} applied now, {count} already applied{(target == MigrationTarget.ClickHouse ? Deferred(report) : "")}");
        }

        if (report.NothingApplied)
        {
            AnsiConsole.WriteLine("Schema is up to date; nothing was changed.");
        }
    }

    private static void Print(IReadOnlyList<AccountOutcome> accounts)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("account", "database", "role", "result");
        foreach (var account in accounts)
        {
            table.AddRow(Markup.Escape(account.Account), Markup.Escape(account.Database), Markup.Escape(account.Role), Markup.Escape(account.Result));
        }

        AnsiConsole.WriteLine("Least-privilege accounts (SS_POSTGRES_WRITER, SS_POSTGRES_ANALYST, SS_CLICKHOUSE_BI, SS_CLICKHOUSE_WRITER):");
        AnsiConsole.Write(table);
    }

    private static string Deferred(MigrationReport report)
    {
        var deferred = report.Outcomes.Count(o => o.Action == MigrationAction.Deferred);
        return deferred == 0 ? "" : $", {deferred} pending until the server supports them";
    }
}
