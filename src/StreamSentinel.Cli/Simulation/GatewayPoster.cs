using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Simulation;

namespace StreamSentinel.Cli.Simulation;

/// <summary>
/// Sends simulated transactions through the ingestion gateway (<c>POST /v1/transactions/batch</c>), as a payment
/// system would: batches of 500, a few in flight, and what the gateway throttles sent again after Retry-After.
/// </summary>
internal static class GatewayPoster
{
    private const int BatchSize = 500;
    private const int Concurrency = 4;

    public static async Task<TransactionProducer.Produced> PostAsync(
        Uri gateway, string token, IEnumerable<SimulatedTransaction> stream, double rate, TextWriter? labels, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (labels is not null)
        {
            await labels.WriteLineAsync("event_id,transaction_id,user_id,scenario".AsMemory(), cancellationToken);
        }

        long sent = 0, fraud = 0, failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var inFlight = new List<Task<int>>();
        foreach (var chunk in stream.Chunk(BatchSize))
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds(sent / rate);
                if (due > stopwatch.Elapsed)
                {
                    await Task.Delay(due - stopwatch.Elapsed, cancellationToken);
                }
            }

            if (inFlight.Count >= Concurrency)
            {
                var done = await Task.WhenAny(inFlight);
                inFlight.Remove(done);
                failures += await done;
            }

            inFlight.Add(SendAsync(http, [.. chunk.Select(s => s.Transaction)], cancellationToken));
            sent += chunk.Length;
            foreach (var simulated in chunk.Where(s => s.Scenario is not null))
            {
                fraud++;
                if (labels is not null)
                {
                    var t = simulated.Transaction;
                    await labels.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{t.EventId},{t.TransactionId},{t.UserId},{simulated.Scenario}").AsMemory(), cancellationToken);
                }
            }
        }

        foreach (var task in inFlight)
        {
            failures += await task;
        }

        return new TransactionProducer.Produced(sent, fraud, failures, stopwatch.Elapsed);
    }

    /// <summary>Sends one batch until every item is accepted or rejected; returns how many were rejected.</summary>
    private static async Task<int> SendAsync(HttpClient http, List<Transaction> batch, CancellationToken cancellationToken)
    {
        var pending = batch;
        var rejected = 0;
        while (pending.Count > 0)
        {
            var body = "[" + string.Join(",", pending.Select(t => JsonSerializer.Serialize(t with { IngestedAt = null }, ContractsJsonContext.Default.Transaction))) + "]";
            using var response = await http.PostAsync(new Uri("v1/transactions/batch", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
            {
                throw new HttpRequestException($"The gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            var items = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!["items"]!.AsArray();
            rejected += items.Count(i => (string?)i!["status"] == "rejected");
            pending = [.. items.Where(i => (string?)i!["status"] == "throttled").Select(i => pending[(int)i!["index"]!])];
            if (pending.Count > 0)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        return rejected;
    }
}
