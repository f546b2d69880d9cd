using System.Text;
using System.Threading.Channels;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A Server-Sent Events stream read as a browser reads it: events (name and data) and comment lines, in order, from a
/// response whose body stays open. Disposing it closes the connection.
/// </summary>
internal sealed class EventStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Name, string Data)> _events = Channel.CreateUnbounded<(string Name, string Data)>();
    private int _comments;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _ = ReadAsync(_stop.Token);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Comment lines (heartbeats) read so far.</summary>
    public int Comments => Volatile.Read(ref _comments);

    public static async Task<EventStream> OpenAsync(HttpClient http, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        return new EventStream(await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
    }

    /// <summary>The first event from now on that <paramref name="match"/> accepts, failing after <paramref name="deadline"/>.</summary>
    public async Task<(string Name, string Data)> NextAsync(Func<(string Name, string Data), bool> match, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var @event = await _events.Reader.ReadAsync(timeout.Token);
                if (match(@event))
                {
                    return @event;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching event within {deadline}.");
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        if (!_response.IsSuccessStatusCode)
        {
            return;
        }

        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
            string? name = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        _events.Writer.TryWrite((name ?? "message", data.ToString()));
                    }

                    (name, data) = (null, new StringBuilder());
                }
                else if (line.StartsWith(':'))
                {
                    Interlocked.Increment(ref _comments);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // Closed by Dispose, or by the server.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _response.Dispose();
        _stop.Dispose();
    }
}
