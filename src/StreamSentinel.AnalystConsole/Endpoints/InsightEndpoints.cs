using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ClickHouse.Driver;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Fleet;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>The BI queries of sql/bi as data for charts, and the fleet's state for the SRE page; readable by every role.</summary>
internal static class InsightEndpoints
{
    public sealed record BiQueryInfo(string Name, string Description, BiChart? Chart);

    public sealed record BiResult(string Name, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows);

    // ClickHouse's error codes (src/Common/ErrorCodes.cpp) for a query stopped by a limit: TOO_MANY_ROWS 158,
    // TIMEOUT_EXCEEDED 159, TOO_SLOW 160, QUOTA_EXPIRED 201 (the hourly quota), MEMORY_LIMIT_EXCEEDED 241,
    // TOO_MANY_BYTES 307, and TOO_MANY_ROWS_OR_BYTES 396, which current servers answer instead of 158 and 307.
    private static readonly HashSet<int> LimitErrors = [158, 159, 160, 201, 241, 307, 396];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/bi", () => Results.Ok(BiQueries.All.Select(q => new BiQueryInfo(q.Name, q.Description, q.Chart))))
            .RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<IReadOnlyList<BiQueryInfo>>().ProducesAuthorizationProblems();

        api.MapGet("/bi/{name}", async (
            string name, HttpRequest request, ClickHouseDatabase clickHouse, IOptions<ConsoleOptions> options, TimeProvider clock, ILoggerFactory loggers,
            CancellationToken cancellationToken) =>
        {
            if (BiQueries.Find(name) is not { } query)
            {
                return Results.Problem(
                    title: $"No BI query '{name}'; known: {string.Join(", ", BiQueries.All.Select(q => q.Name))}.", statusCode: StatusCodes.Status404NotFound);
            }

            var errors = new Dictionary<string, string[]>();
            // Bounded by default: a bare request reads the last days, not every partition since 1970 (issue 18).
            var to = QueryParameters.Time(request, "to", errors) ?? clock.GetUtcNow();
            var from = QueryParameters.Time(request, "from", errors) ?? to.AddDays(-options.Value.BiDefaultWindowDays);
            var limit = QueryParameters.Int(request, "limit", 50, 1, 10_000, errors);
            if (errors.Count == 0 && to <= from)
            {
                errors["to"] = ["must be after from"];
            }

            // ClickHouse's DateTime holds 1970 .. 2105: a window beyond is a question it cannot be asked.
            foreach (var (parameter, time) in new[] { ("from", from), ("to", to) })
            {
                if (time < BiQueries.AllTimeFrom || time > BiQueries.AllTimeTo)
                {
                    errors[parameter] = [$"must lie between {BiQueries.AllTimeFrom:yyyy-MM-dd} and {BiQueries.AllTimeTo:yyyy-MM-dd}"];
                }
            }

            if (errors.Count == 0 && to - from > TimeSpan.FromDays(options.Value.BiMaxWindowDays))
            {
                errors["from"] = [$"the window may span at most {options.Value.BiMaxWindowDays} days (Console:BiMaxWindowDays)"];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The query is invalid.");
            }

            try
            {
                var limits = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["max_rows_to_read"] = options.Value.BiMaxRowsToRead,
                    ["read_overflow_mode"] = "throw",
                    ["max_execution_time"] = options.Value.BiMaxExecutionSeconds,
                    ["timeout_overflow_mode"] = "throw",
                };
                var (columns, rows) = await clickHouse.QueryTableAsync(query.Render(from, to, limit), limits, cancellationToken);
                return Results.Ok(new BiResult(query.Name, from, to, columns, rows));
            }
            catch (ClickHouseServerException e) when (LimitErrors.Contains(e.ErrorCode))
            {
                // The BI account's limits (users.xml profile and quota, or SQL settings profile) stopped it: a clear
                // answer to the viewer, the server's own words to the log only.
                Log.BiLimitReached(loggers.CreateLogger(typeof(InsightEndpoints)), query.Name, e.ErrorCode, e);
                return Results.Problem(
                    title: "The query went past the BI account's limits (rows or bytes read, time, memory or hourly quota).",
                    detail: "Ask for a shorter window, or try again later.",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<BiResult>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesAuthorizationProblems();

        api.MapGet("/fleet", async (HttpRequest request, FleetService fleet, CancellationToken cancellationToken) =>
        {
            var errors = new Dictionary<string, string[]>();
            var minutes = QueryParameters.Int(request, "minutes", 30, 1, 24 * 60, errors);
            return errors.Count > 0
                ? Results.ValidationProblem(errors, title: "The query is invalid.")
                : Results.Ok(await fleet.StatusAsync(TimeSpan.FromMinutes(minutes), cancellationToken));
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<FleetStatus>().ProducesValidationProblem().ProducesAuthorizationProblems();
    }
}
