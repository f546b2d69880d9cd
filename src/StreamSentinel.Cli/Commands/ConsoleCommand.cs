using System.CommandLine;
using StreamSentinel.AnalystConsole.DependencyInjection;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run console</c>: the analysts' console (JSON API under /api).</summary>
internal static class ConsoleCommand
{
    public static Command Create()
    {
        var instance = new Option<string?>("--instance") { Description = "This console's name in logs (default: host-pid)." };
        var httpPort = new Option<int>("--http-port") { Description = "Port of the console and of /healthz, /readyz, /metrics on 127.0.0.1; 0 picks a free one (logged).", DefaultValueFactory = _ => 0 };
        var command = new Command(
            "console",
            "Serve the analysts' console: sign in (POST /api/session; users from Console:Users, roles analyst and viewer), the alert queue "
            + "(GET /api/alerts, filters and keyset paging), an alert with the user's recent payments and its history (GET /api/alerts/{id}), "
            + "and status changes through the workflow with If-Match (POST /api/alerts/{id}/status), each written to system_audit_log.")
        {
            instance, httpPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WebWorkerHost.CreateBuilder(parse.GetValue(httpPort), new Dictionary<string, string?>
            {
                [$"{ConsoleOptions.SectionName}:{nameof(ConsoleOptions.Instance)}"] = parse.GetValue(instance),
            });
            builder.AddServiceDefaults(ConsoleMetrics.MeterName, OperationalPublisher.MeterName).AddAnalystConsole();
            return await WebWorkerHost.RunAsync(builder, app => app.MapAnalystConsole(), cancellationToken);
        });
        return command;
    }
}
