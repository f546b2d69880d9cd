using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Cases;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>
/// The case queue (a user's alerts detected close together, issue 19), a case with its alerts, and actions on a case
/// that apply to each of its alerts, with optimistic concurrency on the whole case (<c>If-Match</c>: its version).
/// </summary>
internal static class CaseEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/cases", async (HttpRequest request, ClaimsPrincipal principal, CaseService cases, CancellationToken cancellationToken) =>
        {
            var errors = new Dictionary<string, string[]>();
            var open = request.Query["open"] is { Count: 1 } value ? value[0] : null;
            if (open is not (null or "true" or "false"))
            {
                errors["open"] = ["is true (cases with an open alert, the default) or false (every case)"];
            }

            var overdue = request.Query["overdue"] is { Count: 1 } late ? late[0] : null;
            if (overdue is not (null or "true" or "false"))
            {
                errors["overdue"] = ["is true (only open cases past their due time) or false (any, the default)"];
            }

            var sort = request.Query["sort"] is { Count: 1 } order ? order[0] : null;
            if (sort is not (null or "activity" or "due"))
            {
                errors["sort"] = ["is activity (latest activity first, the default) or due (due first; open cases only)"];
            }

            var byDue = sort == "due";
            CaseCursor? after = null;
            if (request.Query["cursor"] is { Count: 1 } cursor && !string.IsNullOrEmpty(cursor[0]))
            {
                if (!CaseCursor.TryParse(cursor[0], out var parsed))
                {
                    errors["cursor"] = ["is not a cursor this console gave out (next_cursor of a page)"];
                }
                else if (parsed.ByDue != byDue)
                {
                    errors["cursor"] = ["belongs to the other order: send the sort of the page it came from"];
                }
                else
                {
                    after = parsed;
                }
            }

            var query = new CaseQuery(
                request.Query["user"] is { Count: 1 } user && !string.IsNullOrWhiteSpace(user[0]) ? user[0] : null,
                open != "false",
                after,
                QueryParameters.Int(request, "limit", 50, 1, int.MaxValue, errors),
                // "My queue": assignee=me is whoever asks.
                request.Query["assignee"] is { Count: 1 } assignee && !string.IsNullOrWhiteSpace(assignee[0])
                    ? (assignee[0] == "me" ? principal.Identity!.Name : assignee[0])
                    : null,
                overdue == "true",
                byDue);
            return errors.Count > 0
                ? Results.ValidationProblem(errors, title: "The query is invalid.")
                : Results.Ok(await cases.QueueAsync(query, cancellationToken));
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<CasePage>().ProducesValidationProblem().ProducesAuthorizationProblems();

        api.MapGet("/cases/{id:guid}", async (Guid id, HttpContext http, CaseService cases, CancellationToken cancellationToken) =>
        {
            var detail = await cases.DetailAsync(id, cancellationToken);
            if (detail is null)
            {
                return Results.NotFound();
            }

            http.Response.Headers.ETag = $"\"{detail.Case.Version}\"";
            return Results.Ok(detail);
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<CaseDetail>().Produces(StatusCodes.Status404NotFound).ProducesAuthorizationProblems();

        api.MapPost("/cases/{id:guid}/status", async (Guid id, CaseStatusChange change, HttpContext http, ClaimsPrincipal user, CaseService cases, CancellationToken cancellationToken) =>
        {
            var version = http.Request.Headers.IfMatch.ToString().Trim().Trim('"');
            if (version.Length == 0)
            {
                return Results.Problem(
                    title: "If-Match is required: send the case's version (its ETag) so that a change made meanwhile to one of its alerts is not overwritten.",
                    statusCode: StatusCodes.Status428PreconditionRequired);
            }

            if (!AlertWorkflow.Statuses.Contains(change.Status))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"must be one of {string.Join(", ", AlertWorkflow.Statuses)}"] });
            }

            if (change.Note is { Length: > 2000 })
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["notes are at most 2000 characters"] });
            }

            var (outcome, result, current) = await cases.ChangeStatusAsync(id, version, change, user.Identity!.Name!, cancellationToken);
            return outcome switch
            {
                CaseOutcome.Changed => WithETag(http, result!.Case.Version, Results.Ok(result)),
                CaseOutcome.NotFound => Results.NotFound(),
                CaseOutcome.Stale => Results.Problem(
                    title: "An alert of this case changed (or joined it) since you read it; reload it and decide again.",
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    extensions: new Dictionary<string, object?> { ["current"] = current }),
                _ => Results.Problem(
                    title: $"No alert of this case can become {change.Status}.",
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?> { ["current"] = current }),
            };
        }).RequireAuthorization(AnalystConsolePolicies.Change)
            .Produces<CaseActionResult>().ProducesValidationProblem().Produces(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired).ProducesAuthorizationProblems();

        MapAssignment(api);

        api.MapGet("/sla", async (HttpRequest request, SlaReport report, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var errors = new Dictionary<string, string[]>();
            var to = QueryParameters.Time(request, "to", errors) ?? time.GetUtcNow();
            var from = QueryParameters.Time(request, "from", errors) ?? to.AddDays(-30);
            if (errors.Count == 0 && to <= from)
            {
                errors["to"] = ["must be after from"];
            }

            return errors.Count > 0
                ? Results.ValidationProblem(errors, title: "The query is invalid.")
                : Results.Ok(await report.ReadAsync(from, to, cancellationToken));
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<SlaReportResult>().ProducesValidationProblem().ProducesAuthorizationProblems();
    }

    private static void MapAssignment(IEndpointRouteBuilder api)
    {
        // Claim (assignee: yourself), assign or reassign (another analyst), release (null).
        api.MapPost("/cases/{id:guid}/assignee", async (Guid id, CaseAssignment assignment, HttpContext http, ClaimsPrincipal user, CaseService cases, CancellationToken cancellationToken) =>
        {
            var version = http.Request.Headers.IfMatch.ToString().Trim().Trim('"');
            if (version.Length == 0)
            {
                return Results.Problem(
                    title: "If-Match is required: send the case's version (its ETag).",
                    statusCode: StatusCodes.Status428PreconditionRequired);
            }

            if (assignment.Note is { Length: > 2000 })
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["notes are at most 2000 characters"] });
            }

            var (outcome, current) = await cases.AssignAsync(id, version, assignment, user.Identity!.Name!, cancellationToken);
            return outcome switch
            {
                CaseOutcome.Changed => WithETag(http, current!.Version, Results.Ok(current)),
                CaseOutcome.NotFound => Results.NotFound(),
                CaseOutcome.UnknownAnalyst => Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["assignee"] = ["is not an analyst of this console (Console:Users with role analyst)"] }),
                _ => Results.Problem(
                    title: "An alert of this case changed (or joined it) since you read it; reload it and decide again.",
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    extensions: new Dictionary<string, object?> { ["current"] = current }),
            };
        }).RequireAuthorization(AnalystConsolePolicies.Change)
            .Produces<CaseSummary>().ProducesValidationProblem().Produces(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesAuthorizationProblems();
    }

    private static IResult WithETag(HttpContext http, string version, IResult result)
    {
        http.Response.Headers.ETag = $"\"{version}\"";
        return result;
    }
}
