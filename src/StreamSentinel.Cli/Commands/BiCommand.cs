using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using StreamSentinel.ClickHouse.DependencyInjection;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Output;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>bi [NAME]</c>: the named BI queries of sql/bi against ClickHouse, as a table or CSV; without a name, the list.</summary>
internal static class BiCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name")
        {
            Description = "The query to run (see `bi` without a name for the list).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start of the time window (inclusive), e.g. 2026-11-01 or 2026-11-01T12:00:00Z; default: all time." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "End of the time window (exclusive); default: all time." };
        var limit = new Option<int>("--limit") { Description = "At most this many rows.", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValue(limit) is < 1 or > 100_000)
            {
                result.AddError("--limit must be between 1 and 100000.");
            }
        });
        var csv = new Option<bool>("--csv") { Description = "Print CSV (with a header line) instead of a table." };
        var command = new Command(
            "bi",
            "Run a named BI query of sql/bi on ClickHouse (fraud rate by hour, category or country; score distribution; model "
            + "accuracy over time; riskiest merchants; rules that fire most) and print it as a table or CSV. Without a name, list them.")
        {
            name, from, to, limit, csv,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(name) is not { } queryName)
            {
                List();
                return Task.FromResult(0);
            }

            if (BiQueries.Find(queryName) is not { } query)
            {
                Console.Error.WriteLine($"Unknown BI query '{queryName}'. Known: {string.Join(", ", BiQueries.All.Select(q => q.Name))}.");
                return Task.FromResult(WorkerHost.InvalidConfiguration);
            }

            var window = (From: parse.GetValue(from) ?? BiQueries.AllTimeFrom, To: parse.GetValue(to) ?? BiQueries.AllTimeTo);
            if (window.To <= window.From)
            {
                Console.Error.WriteLine("--to must be after --from.");
                return Task.FromResult(WorkerHost.InvalidConfiguration);
            }

            return WorkerHost.RunOneShotAsync(parse, builder => builder.AddClickHouse(), async services =>
            {
                var (columns, rows) = await services.GetRequiredService<ClickHouseDatabase>()
                    .QueryTableAsync(query.Render(window.From, window.To, parse.GetValue(limit)), cancellationToken);
                if (parse.GetValue(csv))
                {
                    QueryOutput.Csv(columns, rows);
                }
                else
                {
                    QueryOutput.Table(columns, rows, TextColumns(columns, rows), $"{query.Name}: {rows.Count:N0} rows");
                }

                return 0;
            });
        });
        return command;
    }

    /// <summary>Codes that look like numbers but are names (an MCC, a country), printed as they are.</summary>
    private static readonly HashSet<string> Codes = ["merchant_category", "category", "country"];

    /// <summary>The leading columns that name things (an hour, a category, a merchant, a rule); the rest are figures.</summary>
    private static int TextColumns(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows) =>
        columns.TakeWhile((column, i) =>
            Codes.Contains(column) || rows.Count == 0 || !double.TryParse(rows[0][i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)).Count();

    private static void List()
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("name").AddColumn("what it answers");
        foreach (var query in BiQueries.All)
        {
            table.AddRow(Markup.Escape(query.Name), Markup.Escape(query.Description));
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine("Run one: stream-sentinel bi NAME [--from DATE] [--to DATE] [--limit N] [--csv]");
    }
}
