using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>The alert queue, the alert page, and status changes with optimistic concurrency (<c>If-Match</c>).</summary>
internal static class AlertEndpoints
{
    private static readonly string[] Severities = ["MINIMAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/alerts", async (HttpRequest request, AlertService alerts, CancellationToken cancellationToken) =>
        {
            var errors = new Dictionary<string, string[]>();
            var query = new AlertQuery(
                List(request, "status", AlertWorkflow.Statuses, errors),
                List(request, "severity", Severities, errors),
                request.Query["user"] is { Count: 1 } user && !string.IsNullOrWhiteSpace(user[0]) ? user[0] : null,
                QueryParameters.Time(request, "from", errors),
                QueryParameters.Time(request, "to", errors),
                Cursor(request, errors),
                QueryParameters.Int(request, "limit", 50, 1, int.MaxValue, errors));
            return errors.Count > 0
                ? Results.ValidationProblem(errors, title: "The query is invalid.")
                : Results.Ok(await alerts.QueueAsync(query, cancellationToken));
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<AlertPage>().ProducesValidationProblem().ProducesAuthorizationProblems();

        api.MapGet("/alerts/{id:guid}", async (Guid id, HttpContext http, AlertService alerts, CancellationToken cancellationToken) =>
        {
            var detail = await alerts.DetailAsync(id, cancellationToken);
            if (detail is null)
            {
                return Results.NotFound();
            }

            http.Response.Headers.ETag = ETag(detail.Alert.Version);
            return Results.Ok(detail);
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<AlertDetail>().Produces(StatusCodes.Status404NotFound).ProducesAuthorizationProblems();

        api.MapPost("/alerts/{id:guid}/status", async (
            Guid id, StatusChange change, HttpContext http, ClaimsPrincipal user, IOptions<ConsoleOptions> options, AlertService alerts, ApprovalService approvals, CancellationToken cancellationToken) =>
        {
            if (!TryVersion(http.Request.Headers.IfMatch.ToString(), out var version))
            {
                return Results.Problem(
                    title: "If-Match is required: send the alert's version (its ETag) so that a change made meanwhile is not overwritten.",
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

            // An alert goes to an analyst of this console, named as configured, as cases and bulk actions do.
            var assignee = options.Value.AnalystNamed(change.Assignee);
            if (change.Assignee is not null && assignee is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["assignee"] = ["is not an analyst of this console (Console:Users with role analyst)"] });
            }

            change = change with { Assignee = assignee };

            var (outcome, alert) = await alerts.ChangeStatusAsync(id, version, change, user.Identity!.Name!, cancellationToken);
            if (outcome == ChangeOutcome.NeedsApproval)
            {
                var proposal = await approvals.ProposeAsync(alert!, change, user.Identity!.Name!, cancellationToken);
                return proposal is null
                    ? Results.Problem(title: "This alert already has a verdict waiting for approval.", statusCode: StatusCodes.Status409Conflict)
                    : Results.Accepted($"/api/approvals/{proposal.Id}", proposal);
            }

            if (alert is not null)
            {
                http.Response.Headers.ETag = ETag(alert.Version);
            }

            return outcome switch
            {
                ChangeOutcome.Changed => Results.Ok(alert),
                ChangeOutcome.NotFound => Results.NotFound(),
                ChangeOutcome.Stale => Results.Problem(
                    title: "Someone changed this alert since you read it; reload it and decide again.",
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    extensions: new Dictionary<string, object?> { ["current"] = alert }),
                _ => Results.Problem(
                    title: $"{alert!.Status} cannot become {change.Status}; allowed next: {AllowedNext(alert.Status)}.",
                    statusCode: StatusCodes.Status409Conflict),
            };
        }).RequireAuthorization(AnalystConsolePolicies.Change)
            .Produces<AlertSummary>().Produces<ApprovalView>(StatusCodes.Status202Accepted).ProducesValidationProblem().Produces(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired).ProducesAuthorizationProblems();

        MapApprovals(api);
        MapBulk(api);
    }

    private static void MapBulk(IEndpointRouteBuilder api)
    {
        api.MapPost("/alerts/bulk", async (BulkAction action, ClaimsPrincipal user, IOptions<ConsoleOptions> options, AlertService alerts, CancellationToken cancellationToken) =>
        {
            var errors = new Dictionary<string, string[]>();
            var assignee = options.Value.AnalystNamed(action.Assignee);
            if (action.Items is not { Count: > 0 and <= 500 } || action.Items.Select(i => i.Id).Distinct().Count() != action.Items.Count)
            {
                errors["items"] = ["1 to 500 different alerts, each with the version you saw"];
            }

            if (string.IsNullOrWhiteSpace(action.Note) || action.Note.Length > 2000)
            {
                errors["note"] = ["a bulk action needs a note (the reason), at most 2000 characters"];
            }

            if (action.Action == "status" && !AlertWorkflow.Statuses.Contains(action.Status ?? ""))
            {
                errors["status"] = [$"must be one of {string.Join(", ", AlertWorkflow.Statuses)}"];
            }
            else if (action.Action == "assign" && action.Assignee is not null && assignee is null)
            {
                errors["assignee"] = ["is not an analyst of this console (Console:Users with role analyst)"];
            }
            else if (action.Action is not ("status" or "assign"))
            {
                errors["action"] = ["is status or assign"];
            }

            return errors.Count > 0
                ? Results.ValidationProblem(errors, title: "The bulk action is invalid.")
                : Results.Ok(await alerts.BulkAsync(action with { Assignee = assignee }, user.Identity!.Name!, cancellationToken));
        }).RequireAuthorization(AnalystConsolePolicies.Change)
            .Produces<BulkResult>().ProducesValidationProblem().ProducesAuthorizationProblems();
    }

    private static void MapApprovals(IEndpointRouteBuilder api)
    {
        api.MapGet("/approvals", async (ApprovalService approvals, CancellationToken cancellationToken) =>
            Results.Ok(await approvals.PendingAsync(200, cancellationToken)))
            .RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<IReadOnlyList<ApprovalView>>().ProducesAuthorizationProblems();

        foreach (var (verb, approve) in new[] { ("approve", true), ("reject", false) })
        {
            api.MapPost($"/approvals/{{id:guid}}/{verb}", async (Guid id, ApprovalDecision decision, ClaimsPrincipal user, ApprovalService approvals, CancellationToken cancellationToken) =>
            {
                if (decision.Note is { Length: > 2000 })
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["notes are at most 2000 characters"] });
                }

                var (outcome, approval, alert) = await approvals.DecideAsync(id, approve, decision, user.Identity!.Name!, cancellationToken);
                return outcome switch
                {
                    ApprovalOutcome.Decided => Results.Ok(new ApprovalDecisionResult(approval!, alert!)),
                    ApprovalOutcome.NotFound => Results.NotFound(),
                    ApprovalOutcome.OwnProposal => Results.Problem(
                        title: "The analyst who proposed a verdict cannot decide it: a second analyst must.", statusCode: StatusCodes.Status403Forbidden),
                    ApprovalOutcome.AlertMoved => Results.Problem(
                        title: $"The alert is {alert!.Status} now and cannot become {approval!.ProposedStatus}; reject the proposal.",
                        statusCode: StatusCodes.Status409Conflict),
                    _ => Results.Problem(
                        title: "This proposal was already decided.",
                        statusCode: StatusCodes.Status409Conflict,
                        extensions: new Dictionary<string, object?> { ["current"] = approval }),
                };
            }).RequireAuthorization(AnalystConsolePolicies.Change)
                .Produces<ApprovalDecisionResult>().ProducesValidationProblem().Produces(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict).ProducesAuthorizationProblems();
        }
    }

    private static string AllowedNext(string status) =>
        AlertWorkflow.From(status) is { Count: > 0 } next ? string.Join(", ", next) : "nothing (it is final)";

    private static string ETag(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    // One strong entity tag, as the ETag was sent: "7". A weak tag (W/"7") never matches under If-Match (RFC 9110,
    // 13.1.1), and an unquoted 7, a list or * are not a version this endpoint can compare with.
    private static bool TryVersion(string header, out uint version)
    {
        version = 0;
        return EntityTagHeaderValue.TryParse(header, out var tag) && !tag.IsWeak && tag.Tag.Length > 2
            && uint.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    private static string[] List(HttpRequest request, string name, IReadOnlyList<string> allowed, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => v.ToUpperInvariant()).Distinct().ToArray();
        var unknown = values.Where(v => !allowed.Contains(v)).ToList();
        if (unknown.Count > 0)
        {
            errors[name] = [$"unknown: {string.Join(", ", unknown)}; one or more of {string.Join(", ", allowed)}"];
        }

        return values;
    }

    private static AlertCursor? Cursor(HttpRequest request, Dictionary<string, string[]> errors)
    {
        if (request.Query["cursor"] is not { Count: 1 } value || string.IsNullOrEmpty(value[0]))
        {
            return null;
        }

        if (AlertCursor.TryParse(value[0], out var cursor))
        {
            return cursor;
        }

        errors["cursor"] = ["is not a cursor this console gave out (next_cursor of a page)"];
        return null;
    }
}
