using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>What an SRE's probes and scraper read from a worker: a status code, and a counter summed over its series.</summary>
internal static class WorkerEndpoints
{
    public static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.StatusCode;
    }

    /// <summary>The sum of a Prometheus counter over its series; 0 when the worker has not reported it yet.</summary>
    public static double MetricTotal(string metrics, string name) =>
        Regex.Matches(metrics, $@"(?m)^{Regex.Escape(name)}(?:\{{[^}}]*\}})? (\S+)")
            .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
}
