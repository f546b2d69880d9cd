using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Development;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>A gateway started through the entry point on a development broker of its own, and raw reads of that broker's topics.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private GatewayProcess(DevelopmentBroker broker, ChildProcess process, HttpClient http)
    {
        Broker = broker;
        _process = process;
        Http = http;
    }

    public DevelopmentBroker Broker { get; }

    public HttpClient Http { get; }

    /// <summary>Everything the gateway printed (its logs).</summary>
    public string Output => _process.Output;

    /// <summary>Starts a gateway whose clients hold <paramref name="tokens"/> (client-0, client-1, ...).</summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyList<string> tokens, Dictionary<string, string>? settings = null)
    {
        var broker = DevelopmentBroker.Start(1, Topics.All.ToDictionary(t => t, _ => 2), NullLogger.Instance);
        var environment = new Dictionary<string, string> { ["SS_KAFKA"] = broker.BootstrapServers };
        for (var i = 0; i < tokens.Count; i++)
        {
            environment[$"Gateway__Tokens__{i}"] = tokens[i];
        }

        foreach (var (key, value) in settings ?? [])
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start("gateway", environment, "run", "gateway", "--http-port", "0");
        await process.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
        return new GatewayProcess(broker, process, new HttpClient { BaseAddress = new Uri(Listening().Match(process.Output).Groups[1].Value) });
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Http.SendAsync(request);
    }

    /// <summary>
    /// Every message of <paramref name="topic"/>: read until at least <paramref name="atLeast"/> arrived and then nothing
    /// more for three seconds (30 s at the most).
    /// </summary>
    public List<Message<byte[]?, byte[]?>> Read(string topic, int atLeast = 0)
    {
        using var consumer = TopicReader.FromStart(Broker.BootstrapServers, topic);
        var read = new List<Message<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline && (read.Count < atLeast || DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(3)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } message)
            {
                read.Add(message.Message);
                quietSince = DateTime.UtcNow;
            }
        }

        consumer.Close();
        return read;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        Broker.Dispose();
    }

    [GeneratedRegex(@"metrics on (http://\S+) ")]
    private static partial Regex Listening();
}
