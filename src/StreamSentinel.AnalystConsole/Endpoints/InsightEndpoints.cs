using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StreamSentinel.AnalystConsole.Fleet;
using StreamSentinel.ClickHouse.Querying;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>The BI queries of sql/bi as data for charts, and the fleet's state for the SRE page; readable by every role.</summary>
internal static class InsightEndpoints
{
    public sealed record BiQueryInfo(string Name, string Description, BiChart? Chart);

    public sealed record BiResult(string Name, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/bi", () => Results.Ok(BiQueries.All.Select(q => new BiQueryInfo(q.Name, q.Description, q.Chart))))
            .RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<IReadOnlyList<BiQueryInfo>>().ProducesAuthorizationProblems();

        api.MapGet("/bi/{name}", async (string name, HttpRequest request, ClickHouseDatabase clickHouse, CancellationToken cancellationToken) =>
        {
            if (BiQueries.Find(name) is not { } query)
            {
                return Results.Problem(
                    title: $"No BI query '{name}'; known: {string.Join(", ", BiQueries.All.Select(q => q.Name))}.", statusCode: StatusCodes.Status404NotFound);
            }

            var errors = new Dictionary<string, string[]>();
            var from = QueryParameters.Time(request, "from", errors) ?? BiQueries.AllTimeFrom;
            var to = QueryParameters.Time(request, "to", errors) ?? BiQueries.AllTimeTo;
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

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The query is invalid.");
            }

            var (columns, rows) = await clickHouse.QueryTableAsync(query.Render(from, to, limit), cancellationToken);
            return Results.Ok(new BiResult(query.Name, from, to, columns, rows));
        }).RequireAuthorization(AnalystConsolePolicies.Read)
            .Produces<BiResult>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesAuthorizationProblems();

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
