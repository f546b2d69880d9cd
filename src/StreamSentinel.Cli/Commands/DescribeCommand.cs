using System.CommandLine;
using Spectre.Console;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Migrations;
using StreamSentinel.Migrations.DependencyInjection;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>describe</c>: the tables and views of both databases, with row counts.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var command = new Command("describe", "List the tables and views of PostgreSQL and ClickHouse with their row counts.");
        command.SetAction(async (_, cancellationToken) =>
        {
            var builder = WorkerHost.CreateBuilder();
            builder.AddSchemaMigrator();
            using var host = builder.Build();
            var objects = await host.Services.GetRequiredService<SchemaInventory>().ListAsync(cancellationToken);
            var table = new Table().Border(TableBorder.Simple).AddColumns("database", "name", "kind", "rows");
            foreach (var item in objects)
            {
                table.AddRow(
                    Markup.Escape(item.Target.ToString()),
                    Markup.Escape(item.Name),
                    Markup.Escape(item.Kind),
                    item.Rows?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
