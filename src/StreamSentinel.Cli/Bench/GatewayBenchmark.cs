using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Bench;

/// <summary>
/// The gateway under load from this machine: single-transaction posts at fixed rates (open loop: each request has
/// its due time, and latency counts from it, so a slow server cannot hide its queueing), one gateway process on a
/// development broker of the benchmark's own.
/// </summary>
internal sealed class GatewayBenchmark(TextWriter output, ILogger kafkaLog)
{
    private const string Token = "bench-token-0123456789";

    public sealed record Step(double TargetRate, int Sent, double Seconds, int Accepted, int Throttled, int Other, int Errors, double P50Ms, double P99Ms, double P999Ms)
    {
        public double AcceptedPerSecond => Accepted / Seconds;
    }

    public async Task<IReadOnlyList<Step>> RunAsync(IReadOnlyList<double> rates, int seconds, IReadOnlyDictionary<string, string> gatewaySettings, CancellationToken cancellationToken)
    {
        using var broker = DevelopmentBroker.Start(1, Topics.All.ToDictionary(t => t, t => t == Topics.Transactions ? 12 : 1), kafkaLog);
        var environment = new Dictionary<string, string>(gatewaySettings) { ["SS_KAFKA"] = broker.BootstrapServers, ["Gateway__Tokens__0"] = Token };
        using var gateway = BenchWorker.Start(["run", "gateway", "--http-port", "0"], environment);
        try
        {
            await gateway.WaitForAsync("metrics on", TimeSpan.FromMinutes(2), cancellationToken);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(gateway.Url!), Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var bodies = new TransactionSimulator(new SimulationOptions { Seed = 44 }).Generate((long)(rates.Max() * seconds) + 2000)
                .Select(s => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s.Transaction, ContractsJsonContext.Default.Transaction))).ToArray();
            // Warm-up: connections, JIT on both sides.
            await RunStepAsync(http, bodies, 500, 2, cancellationToken);
            var steps = new List<Step>();
            foreach (var rate in rates)
            {
                var step = await RunStepAsync(http, bodies, rate, seconds, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {rate:N0}/s: {step.AcceptedPerSecond:N0} accepted/s, P99 {step.P99Ms:F1} ms"));
                steps.Add(step);
            }

            return steps;
        }
        finally
        {
            await gateway.StopAsync(cancellationToken);
        }
    }

    private static async Task<Step> RunStepAsync(HttpClient http, byte[][] bodies, double rate, int seconds, CancellationToken cancellationToken)
    {
        var count = (int)(rate * seconds);
        var latencies = new double[count];
        var statuses = new int[count];
        var tasks = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = i / rate;
            var wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
            }

            var index = i;
            tasks.Add(SendAsync(http, bodies[index % bodies.Length], due, clock, latencies, statuses, index, cancellationToken));
        }

        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        var histogram = new LatencyHistogram();
        foreach (var ms in latencies)
        {
            histogram.Record(ms);
        }

        return new Step(
            rate, count, elapsed,
            statuses.Count(s => s == 202), statuses.Count(s => s == 429), statuses.Count(s => s is > 0 and not 202 and not 429), statuses.Count(s => s == 0),
            histogram.Percentile(50), histogram.Percentile(99), histogram.Percentile(99.9));
    }

    private static async Task SendAsync(HttpClient http, byte[] body, double due, Stopwatch clock, double[] latencies, int[] statuses, int index, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri("v1/transactions", UriKind.Relative), content, cancellationToken);
            statuses[index] = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            statuses[index] = 0;
        }

        // From when the request was due, not when it left: time spent waiting for a connection is latency too.
        latencies[index] = (clock.Elapsed.TotalSeconds - due) * 1000;
    }
}
