using System.CommandLine;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Gateway.DependencyInjection;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>run gateway</c>: the HTTP intake of transactions.</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var instance = new Option<string?>("--instance") { Description = "This gateway's name in logs and its producer's client id (default: host-pid)." };
        var httpPort = new Option<int>("--http-port") { Description = "Port of the intake and of /healthz, /readyz, /metrics on 127.0.0.1; 0 picks a free one (logged).", DefaultValueFactory = _ => 0 };
        var command = new Command(
            "gateway",
            "Accept transactions over HTTP (POST /v1/transactions, POST /v1/transactions/batch; bearer tokens from Gateway:Tokens), "
            + "validate them, derive their event_id, stamp the ingest time and produce them to the transactions topic. A full queue answers 429 "
            + "with Retry-After; SIGTERM stops the intake and sends everything accepted before exiting.")
        {
            instance, httpPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = WebWorkerHost.CreateBuilder(parse.GetValue(httpPort), new Dictionary<string, string?>
            {
                [$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Instance)}"] = parse.GetValue(instance),
            });
            builder.AddServiceDefaults(GatewayMetrics.MeterName, OperationalPublisher.MeterName).AddGateway();
            return await WebWorkerHost.RunAsync(builder, app => app.MapGateway(), cancellationToken);
        });
        return command;
    }
}
