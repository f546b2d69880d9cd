using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Domain;
using StreamSentinel.Hosting.Diagnostics;

namespace StreamSentinel.AnalystConsole.Fleet;

/// <summary>
/// The SRE page's data. Live: each configured worker's /readyz and its <c>messaging_kafka_consumer_lag</c> per
/// partition from /metrics, probed in parallel on every request. History: the stages' throughput, flush latency,
/// dead letters and lag from the performance snapshots in ClickHouse, which every worker publishes.
/// </summary>
public sealed class FleetService(HttpClient http, ClickHouseDatabase clickHouse, IOptions<ConsoleOptions> options, TimeProvider time, ILogger<FleetService> logger)
{
    public const string HttpClientName = "fleet";

    private const string LagSeries = "messaging_kafka_consumer_lag";

    private static readonly string StepsQuery = EmbeddedSql.Read(typeof(ClickHouseDatabase).Assembly, "sql/queries/clickhouse/fleet_steps.sql");
    private static readonly string ReportingQuery = EmbeddedSql.Read(typeof(ClickHouseDatabase).Assembly, "sql/queries/clickhouse/fleet_reporting.sql");

    public async Task<FleetStatus> StatusAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = ClickHouseLiteral.DateTime(now - window);
        // About sixty points whatever the window, never finer than the snapshots' own ten seconds.
        var step = (int)Math.Max(10, Math.Round(window.TotalSeconds / 60 / 10) * 10);
        var probes = Task.WhenAll(options.Value.Workers.Select(worker => ProbeAsync(worker, cancellationToken)));
        var steps = clickHouse.QueryTsvAsync(
            StepsQuery.Replace("{since}", since, StringComparison.Ordinal).Replace("{step}", step.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            cancellationToken);
        var reporting = clickHouse.QueryTsvAsync(ReportingQuery.Replace("{since}", since, StringComparison.Ordinal), cancellationToken);
        return new FleetStatus(
            now,
            await probes,
            [.. (await reporting).Select(r =>
            {
                var last = DateTimeOffset.FromUnixTimeSeconds(Long(r[2]));
                return new ReportingWorker(r[0], r[1], last, Math.Max(0, (now - last).TotalSeconds), Long(r[3]) is >= 0 and var lag ? lag : null, Long(r[4]), Long(r[5]));
            })],
            [.. (await steps).Select(r => new StageStep(
                DateTimeOffset.FromUnixTimeSeconds(Long(r[0])), r[1], Double(r[2]), Double(r[3]),
                Double(r[4]) is >= 0 and var flush ? flush : null, Long(r[5]), Long(r[6]), (int)Long(r[7])))],
            step);
    }

    private async Task<ProbedWorker> ProbeAsync(FleetWorker worker, CancellationToken cancellationToken)
    {
        var baseUrl = worker.Url.TrimEnd('/');
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeoutMs);
        bool ready;
        string readiness;
        try
        {
            using var answer = await http.GetAsync(new Uri(baseUrl + "/readyz"), timeout.Token);
            var text = (await answer.Content.ReadAsStringAsync(timeout.Token)).Trim();
            ready = answer.IsSuccessStatusCode;
            readiness = $"{(int)answer.StatusCode} {(text.Length > 0 ? text : answer.ReasonPhrase)}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A worker that does not answer is the news on this page, not an error of the page.
            return new ProbedWorker(worker.Name, baseUrl, false, Unanswered(worker, baseUrl, e), []);
        }

        try
        {
            var metrics = await http.GetStringAsync(new Uri(baseUrl + "/metrics"), timeout.Token);
            var lag = PrometheusText.Samples(metrics, LagSeries)
                .Select(s => new PartitionLag(
                    s.Labels.GetValueOrDefault("messaging_destination_name", "?"),
                    int.TryParse(s.Labels.GetValueOrDefault("messaging_destination_partition_id"), CultureInfo.InvariantCulture, out var p) ? p : -1,
                    (long)s.Value))
                .OrderBy(l => l.Topic, StringComparer.Ordinal).ThenBy(l => l.Partition)
                .ToList();
            return new ProbedWorker(worker.Name, baseUrl, ready, readiness, lag);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Readiness stands on its own; only the lag is unknown.
            return new ProbedWorker(worker.Name, baseUrl, ready, $"{readiness}; /metrics: {Unanswered(worker, baseUrl, e)}", []);
        }
    }

    // Viewers read this page: the exception's text (addresses, resolver and TLS detail) goes to the log only (issue 18).
    private string Unanswered(FleetWorker worker, string baseUrl, Exception e)
    {
        Log.ProbeFailed(logger, worker.Name, baseUrl, e);
        return e is OperationCanceledException ? $"no answer within {options.Value.ProbeTimeoutMs} ms" : "unreachable";
    }

    private static long Long(string field) => long.Parse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double Double(string field) => double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
}
