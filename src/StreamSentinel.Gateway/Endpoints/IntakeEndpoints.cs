using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Intake;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/transactions</c> (one transaction) and <c>POST /v1/transactions/batch</c> (a JSON array). A transaction
/// is accepted when it is valid and the queue has room; the answer says which, per item, and never half-succeeds
/// silently.
/// </summary>
public static class IntakeEndpoints
{
    public static IEndpointRouteBuilder MapTransactionIntake(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/v1/transactions").RequireAuthorization();
        // The handlers read the body themselves (a size limit, then the contract's strict reader), so the description
        // of what they accept and answer is declared here rather than inferred from their parameters.
        group.MapPost("", PostOneAsync)
            .Accepts<Transaction>("application/json")
            .Produces<IntakeAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Produces(StatusCodes.Status401Unauthorized);
        group.MapPost("/batch", PostBatchAsync)
            .Accepts<Transaction[]>("application/json")
            .Produces<BatchResult>()
            .Produces<BatchResult>(StatusCodes.Status429TooManyRequests)
            .Produces<BatchResult>(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .Produces(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<IResult> PostOneAsync(HttpContext http, MessageReader<Transaction> reader, IntakeBuffer queue, GatewayMetrics metrics, IOptions<GatewayOptions> options, TimeProvider time)
    {
        var body = await ReadBodyAsync(http, options.Value.MaxItemBytes);
        if (body is null)
        {
            return TooLarge(options.Value.MaxItemBytes);
        }

        if (!reader.TryRead(body, out var transaction, out var error))
        {
            metrics.Rejected(error.Code);
            return Results.ValidationProblem(Errors(error), title: "The transaction is invalid.", extensions: new Dictionary<string, object?> { ["code"] = error.Code });
        }

        var accepted = transaction.WithEventId() with { IngestedAt = time.GetUtcNow() };
        if (!queue.TryAccept(accepted))
        {
            return Refused(http, queue, metrics, options.Value, 1);
        }

        metrics.Accepted(1);
        return Results.Json(new IntakeAccepted(accepted.EventId, accepted.TransactionId, accepted.IngestedAt!.Value), GatewayJsonContext.Default.IntakeAccepted, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> PostBatchAsync(HttpContext http, MessageReader<Transaction> reader, IntakeBuffer queue, GatewayMetrics metrics, IOptions<GatewayOptions> options, TimeProvider time)
    {
        var limits = options.Value;
        var body = await ReadBodyAsync(http, (long)limits.MaxItemBytes * limits.MaxBatchItems);
        if (body is null)
        {
            return TooLarge((long)limits.MaxItemBytes * limits.MaxBatchItems);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Results.Problem(title: "The batch is not well-formed JSON.", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Results.Problem(title: "A batch is a JSON array of transactions.", statusCode: StatusCodes.Status400BadRequest);
            }

            var count = document.RootElement.GetArrayLength();
            if (count == 0 || count > limits.MaxBatchItems)
            {
                return Results.Problem(title: $"A batch holds 1 to {limits.MaxBatchItems} transactions; this one holds {count}.", statusCode: StatusCodes.Status400BadRequest);
            }

            var now = time.GetUtcNow();
            var items = new List<BatchItemResult>(count);
            int accepted = 0, rejected = 0, throttled = 0;
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (!reader.TryRead(Encoding.UTF8.GetBytes(element.GetRawText()), out var transaction, out var error))
                {
                    metrics.Rejected(error.Code);
                    items.Add(new BatchItemResult(index++, "rejected", Errors: Errors(error)));
                    rejected++;
                    continue;
                }

                var stamped = transaction.WithEventId() with { IngestedAt = now };
                // Once the queue is full, the rest of the batch is throttled too: the client resends from the first one.
                if (throttled == 0 && queue.TryAccept(stamped))
                {
                    items.Add(new BatchItemResult(index++, "accepted", stamped.EventId));
                    accepted++;
                }
                else
                {
                    items.Add(new BatchItemResult(index++, "throttled", stamped.EventId));
                    throttled++;
                }
            }

            metrics.Accepted(accepted);
            var result = new BatchResult(accepted, rejected, throttled, items);
            if (throttled > 0)
            {
                metrics.Throttled(throttled);
                http.Response.Headers.RetryAfter = limits.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            // 429 only when nothing got in: a partly accepted batch is a success that lists what to send again.
            var status = accepted == 0 && throttled > 0 ? (queue.Closed ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests) : StatusCodes.Status200OK;
            return Results.Json(result, GatewayJsonContext.Default.BatchResult, statusCode: status);
        }
    }

    private static IResult Refused(HttpContext http, IntakeBuffer queue, GatewayMetrics metrics, GatewayOptions options, int count)
    {
        metrics.Throttled(count);
        http.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return queue.Closed
            ? Results.Problem(title: "The gateway is shutting down; send it to another instance or again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Problem(title: "The intake queue is full; send it again after Retry-After.", statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static IResult TooLarge(long limit) =>
        Results.Problem(title: $"The body exceeds {limit} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);

    private static Dictionary<string, string[]> Errors(MessageError error) => new() { [error.Field ?? "$"] = [$"{error.Code}: {error.Detail}"] };

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
