using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using StreamSentinel.Cli.Hosting;
using StreamSentinel.Cli.Simulation;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Commands;

/// <summary><c>simulate</c>: realistic card traffic with labelled fraud scenarios, to the transactions topic.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var simulation = new SimulationOptionsBinder();
        var count = new Option<long?>("--count") { Description = "Transactions to produce (default 10,000, or rate x duration)." };
        var duration = new Option<double?>("--duration") { Description = "Seconds to keep producing at --rate (instead of --count)." };
        var rate = new Option<double>("--rate") { Description = "Transactions per second; 0 = as fast as possible.", DefaultValueFactory = _ => 0 };
        var via = new Option<string>("--via") { Description = "kafka (produce to the transactions topic) or gateway (post to the ingestion gateway).", DefaultValueFactory = _ => "kafka" };
        via.AcceptOnlyFromAmong("kafka", "gateway");
        var gatewayUrl = new Option<string?>("--gateway-url") { Description = "The gateway's base URL, e.g. http://127.0.0.1:8080/ (with --via gateway)." };
        var token = new Option<string?>("--token") { Description = "A bearer token of the gateway (with --via gateway; default: the SS_GATEWAY_TOKEN variable)." };
        var labels = new Option<FileInfo?>("--labels") { Description = "CSV file for the ground truth (event_id, transaction_id, user_id, scenario); fraud rows only." };
        var command = new Command(
            "simulate",
            "Produce realistic card payments to the transactions topic, keyed by user (idempotent producer), with labelled fraud "
            + "scenarios injected. The labels never enter the messages; --labels writes them to a file.")
        {
            count, duration, rate, labels, via, gatewayUrl, token,
        };
        simulation.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(rate) < 0)
            {
                result.AddError("--rate must be 0 (as fast as possible) or positive.");
            }

            if (result.GetValue(duration) is { } seconds && (seconds <= 0 || result.GetValue(rate) <= 0 || result.GetValue(count) is not null))
            {
                result.AddError("--duration needs a positive --rate and no --count.");
            }

            if (result.GetValue(via) == "gateway" && !Uri.TryCreate(result.GetValue(gatewayUrl), UriKind.Absolute, out _))
            {
                result.AddError("--via gateway needs --gateway-url, an absolute URL such as http://127.0.0.1:8080/.");
            }

            if (result.GetValue(count) is < 0)
            {
                result.AddError("--count must not be negative.");
            }
        });
        command.SetAction((parse, cancellationToken) => WorkerHost.RunOneShotAsync(parse, 
            builder => builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart(),
            async services =>
            {
                if (simulation.Bind(parse) is not { } options)
                {
                    return WorkerHost.InvalidConfiguration;
                }

                var total = parse.GetValue(count) ?? (parse.GetValue(duration) is { } seconds ? (long)(seconds * parse.GetValue(rate)) : 10_000);
                Console.WriteLine($"simulating {total:N0} transactions: {SimulationOptionsBinder.Describe(options)}");
                var labelFile = parse.GetValue(labels);
                await using var writer = labelFile is null ? null : new StreamWriter(labelFile.FullName);
                var stream = new TransactionSimulator(options).Generate(total);
                TransactionProducer.Produced produced;
                if (parse.GetValue(via) == "gateway")
                {
                    var bearer = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("SS_GATEWAY_TOKEN");
                    if (string.IsNullOrEmpty(bearer))
                    {
                        await Console.Error.WriteLineAsync("--via gateway needs a bearer token: --token or SS_GATEWAY_TOKEN.");
                        return WorkerHost.InvalidConfiguration;
                    }

                    produced = await GatewayPoster.PostAsync(new Uri(parse.GetValue(gatewayUrl)!), bearer, stream, parse.GetValue(rate), writer, cancellationToken);
                }
                else
                {
                    // Read (and validated) only here: posting to the gateway needs no Kafka settings.
                    var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
                    produced = await TransactionProducer.ProduceAsync(
                        kafka.BootstrapServers, $"{kafka.ClientIdPrefix}-simulate", stream, parse.GetValue(rate), writer,
                        services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category), cancellationToken);
                }
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"sent {produced.Transactions:N0} transactions ({produced.Fraud:N0} fraud) to {(parse.GetValue(via) == "gateway" ? "the gateway" : Topics.Transactions)} in {produced.Elapsed.TotalSeconds:F1} s ({produced.Transactions / Math.Max(produced.Elapsed.TotalSeconds, 0.001):N0}/s); {produced.Failures} failed or rejected"));
                if (labelFile is not null)
                {
                    Console.WriteLine($"labels: {labelFile.FullName}");
                }

                return produced.Failures == 0 ? 0 : 1;
            }));
        return command;
    }
}
