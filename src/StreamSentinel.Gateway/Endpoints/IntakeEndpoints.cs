using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Gateway.Intake;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/transactions</c> (one transaction) and <c>POST /v1/transactions/batch</c> (a JSON array). A transaction
/// is accepted when it is valid, its client is within its limits and the queue has room; the answer says which, per
/// item, and never half-succeeds silently.
/// </summary>
/// <remarks>
/// Per client (issue 18): requests in progress are capped, each accepted transaction takes a token from the client's
/// bucket, and the client may hold only its share of the queue, so one client flooding the gateway is throttled
/// while the others get in. Refusals are summed up per client in the audit trail (<see cref="IntakeAudit"/>).
/// </remarks>
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

    private static async Task<IResult> PostOneAsync(HttpContext http, MessageReader<Transaction> reader, IntakeServices intake, IOptions<GatewayOptions> options)
    {
        var client = ClientOf(http);
        var limits = options.Value;
        using var request = intake.Limits.EnterRequest(client);
        if (!request.IsAcquired)
        {
            return Throttled(http, intake, client, "concurrency", 1, $"This client already has {limits.ClientMaxConcurrentRequests} requests in progress; send it again after Retry-After.");
        }

        var body = await ReadBodyAsync(http, limits.MaxItemBytes);
        if (body is null)
        {
            intake.Audit.Refused(client, "rejected", "too_large");
            return TooLarge(limits.MaxItemBytes);
        }

        var now = intake.Time.GetUtcNow();
        if (!TryRead(reader, body, now, limits, out var transaction, out var error))
        {
            intake.Metrics.Rejected(error.Code);
            intake.Audit.Refused(client, "rejected", error.Code);
            return Results.ValidationProblem(Errors(error), title: "The transaction is invalid.", extensions: new Dictionary<string, object?> { ["code"] = error.Code });
        }

        if (!intake.Limits.TakeToken(client))
        {
            return Throttled(http, intake, client, "rate", 1, $"This client is over its rate ({limits.ClientRatePerSecond} transactions a second); send it again after Retry-After.");
        }

        var accepted = intake.Pseudonymiser.Apply(transaction).WithEventId() with { IngestedAt = now };
        var outcome = intake.Queue.TryAccept(accepted, client);
        if (outcome != IntakeOutcome.Accepted)
        {
            return Throttled(http, intake, client, Reason(outcome), 1, Title(outcome, intake.Queue));
        }

        intake.Metrics.Accepted(1);
        return Results.Json(new IntakeAccepted(accepted.EventId, accepted.TransactionId, accepted.IngestedAt!.Value), GatewayJsonContext.Default.IntakeAccepted, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> PostBatchAsync(HttpContext http, MessageReader<Transaction> reader, IntakeServices intake, IOptions<GatewayOptions> options)
    {
        var client = ClientOf(http);
        var limits = options.Value;
        using var request = intake.Limits.EnterRequest(client);
        if (!request.IsAcquired)
        {
            return Throttled(http, intake, client, "concurrency", 1, $"This client already has {limits.ClientMaxConcurrentRequests} requests in progress; send it again after Retry-After.");
        }

        if (http.Request.ContentLength > limits.MaxBatchBytes)
        {
            intake.Audit.Refused(client, "rejected", "too_large");
            return TooLarge(limits.MaxBatchBytes);
        }

        // Parsed as a stream, item by item, from a body read in small chunks: the batch is never held as one buffer or
        // one document. Nothing is queued until the whole body has been read, so a batch that turns out too large,
        // too long or not well-formed is refused whole, never half-accepted.
        var now = intake.Time.GetUtcNow();
        var items = new List<(Transaction? Transaction, MessageError? Error)>();
        try
        {
            var body = new LimitedReadStream(http.Request.Body, limits.MaxBatchBytes);
            await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable(body, GatewayJsonContext.Default.JsonElement, http.RequestAborted))
            {
                if (items.Count == limits.MaxBatchItems)
                {
                    intake.Audit.Refused(client, "rejected", "too_many_items");
                    return Results.Problem(title: $"A batch holds 1 to {limits.MaxBatchItems} transactions; this one holds more.", statusCode: StatusCodes.Status400BadRequest);
                }

                items.Add(TryRead(reader, JsonMarshal.GetRawUtf8Value(element), now, limits, out var transaction, out var error) ? (transaction, null) : (null, error));
            }
        }
        catch (BodyTooLargeException e)
        {
            intake.Audit.Refused(client, "rejected", "too_large");
            return TooLarge(e.Limit);
        }
        catch (JsonException e)
        {
            intake.Audit.Refused(client, "rejected", "malformed_batch");
            return Results.Problem(title: "A batch is a well-formed JSON array of transactions.", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        if (items.Count == 0)
        {
            return Results.Problem(title: $"A batch holds 1 to {limits.MaxBatchItems} transactions; this one holds none.", statusCode: StatusCodes.Status400BadRequest);
        }

        var results = new List<BatchItemResult>(items.Count);
        int accepted = 0, rejected = 0, throttled = 0;
        string? throttledReason = null;
        for (var index = 0; index < items.Count; index++)
        {
            var (transaction, error) = items[index];
            if (transaction is null)
            {
                intake.Metrics.Rejected(error!.Code);
                intake.Audit.Refused(client, "rejected", error.Code);
                results.Add(new BatchItemResult(index, "rejected", Errors: Errors(error)));
                rejected++;
                continue;
            }

            var stamped = intake.Pseudonymiser.Apply(transaction).WithEventId() with { IngestedAt = now };
            // Once one item is throttled, the rest of the batch is throttled too: the client resends from the first one.
            if (throttledReason is null)
            {
                var outcome = intake.Limits.TakeToken(client) ? intake.Queue.TryAccept(stamped, client) : (IntakeOutcome?)null;
                if (outcome == IntakeOutcome.Accepted)
                {
                    results.Add(new BatchItemResult(index, "accepted", stamped.EventId));
                    accepted++;
                    continue;
                }

                throttledReason = outcome is { } refused ? Reason(refused) : "rate";
            }

            results.Add(new BatchItemResult(index, "throttled", stamped.EventId));
            throttled++;
        }

        intake.Metrics.Accepted(accepted);
        var result = new BatchResult(accepted, rejected, throttled, results);
        if (throttled > 0)
        {
            intake.Metrics.Throttled(throttled, throttledReason!);
            intake.Audit.Refused(client, "throttled", throttledReason!, throttled);
            http.Response.Headers.RetryAfter = limits.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        // 429 only when nothing got in: a partly accepted batch is a success that lists what to send again.
        var status = accepted == 0 && throttled > 0 ? (intake.Queue.Closed ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests) : StatusCodes.Status200OK;
        return Results.Json(result, GatewayJsonContext.Default.BatchResult, statusCode: status);
    }

    /// <summary>The contract's checks, then the gateway's own: an event time no further in the future than the allowed skew.</summary>
    private static bool TryRead(
        MessageReader<Transaction> reader, ReadOnlySpan<byte> json, DateTimeOffset now, GatewayOptions limits, out Transaction transaction, out MessageError error)
    {
        if (!reader.TryRead(json, out var read, out var refused))
        {
            (transaction, error) = (null!, refused);
            return false;
        }

        var latest = now.AddSeconds(limits.MaxFutureSkewSeconds);
        if (read.EventTime > latest)
        {
            (transaction, error) = (null!, new MessageError(
                MessageErrorKind.InvalidValue,
                string.Create(CultureInfo.InvariantCulture, $"'event_time' is {read.EventTime:O}, more than {limits.MaxFutureSkewSeconds} s after the gateway's clock ({now:O})"),
                "event_time"));
            return false;
        }

        (transaction, error) = (read, null!);
        return true;
    }

    /// <summary>The client, as its credential names it (never the credential itself).</summary>
    private static string ClientOf(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    private static string Reason(IntakeOutcome outcome) => outcome switch
    {
        IntakeOutcome.ClientShareFull => "client_share",
        IntakeOutcome.QueueFull => "queue_full",
        IntakeOutcome.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static string Title(IntakeOutcome outcome, IntakeBuffer queue) => outcome switch
    {
        IntakeOutcome.ClientShareFull => $"This client holds its whole share of the intake queue ({queue.ClientShare} transactions); send it again after Retry-After.",
        IntakeOutcome.Closed => "The gateway is shutting down; send it to another instance or again shortly.",
        _ => "The intake queue is full; send it again after Retry-After.",
    };

    private static IResult Throttled(HttpContext http, IntakeServices intake, string client, string reason, int count, string title)
    {
        intake.Metrics.Throttled(count, reason);
        if (reason != "closed")
        {
            intake.Audit.Refused(client, "throttled", reason, count);
        }

        http.Response.Headers.RetryAfter = intake.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            title: title,
            statusCode: reason == "closed" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["reason"] = reason });
    }

    private static IResult TooLarge(long limit) =>
        Results.Problem(title: $"The body exceeds {limit} bytes; send smaller batches.", statusCode: StatusCodes.Status413PayloadTooLarge);

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
