using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.LiveQueue;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>
/// The live queue (issue 19): a Server-Sent Events stream of alert news (<c>event: alerts</c>, data
/// <c>{"kind": "created" | "changed", "count": n, "ids": [...]}</c>; <c>event: resync</c> when the page should reload),
/// with a comment line as heartbeat while nothing happens.
/// </summary>
internal static class LiveQueueEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/alerts/stream", async (HttpContext http, LiveQueueHub hub, IOptions<LiveQueueOptions> options, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
        {
            using var subscription = hub.TrySubscribe();
            if (subscription is null)
            {
                http.Response.Headers.RetryAfter = "30";
                return Results.Problem(
                    title: "The live queue is full.",
                    detail: $"This console streams to at most {options.Value.MaxConnections} browsers at once (Console:LiveQueue:MaxConnections). "
                        + "Reload the queue to see what is new, or try the live queue again later.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // Ends with the browser's request or with the console, whichever comes first: an open stream must not hold a shutdown.
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
            try
            {
                await WriteAsync(http.Response, "retry: 3000\n: live queue\n\n", stream.Token);
                while (true)
                {
                    using var beat = CancellationTokenSource.CreateLinkedTokenSource(stream.Token);
                    beat.CancelAfter(heartbeat);
                    bool more;
                    try
                    {
                        more = await subscription.Events.WaitToReadAsync(beat.Token);
                    }
                    catch (OperationCanceledException) when (!stream.IsCancellationRequested)
                    {
                        await WriteAsync(http.Response, ": heartbeat\n\n", stream.Token);
                        continue;
                    }

                    if (!more)
                    {
                        break;
                    }

                    var text = new StringBuilder();
                    while (subscription.Events.TryRead(out var @event))
                    {
                        text.Append("event: ").Append(@event.Name).Append("\ndata: ").Append(@event.Data).Append("\n\n");
                    }

                    if (subscription.TakeOverflow())
                    {
                        text.Append("event: ").Append(LiveQueueEvent.Resync.Name).Append("\ndata: ").Append(LiveQueueEvent.Resync.Data).Append("\n\n");
                    }

                    await WriteAsync(http.Response, text.ToString(), stream.Token);
                }
            }
            catch (OperationCanceledException) when (stream.IsCancellationRequested)
            {
                // The browser went away, or the console is stopping.
            }

            return Results.Empty;
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesAuthorizationProblems();
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
