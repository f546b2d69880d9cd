using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>Signing in and out: a cookie session for the configured users, with their role as a claim.</summary>
internal static class SessionEndpoints
{
    public sealed record SignIn(string Name, string Password);

    public sealed record Session(string Name, string Role);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/session", async (SignIn body, HttpContext http, IOptions<ConsoleOptions> options) =>
        {
            var user = options.Value.Users.FirstOrDefault(u => string.Equals(u.Name, body.Name, StringComparison.OrdinalIgnoreCase));
            // Hashes compared in constant time: neither the password nor its length leaks through timing.
            if (user is null || !CryptographicOperations.FixedTimeEquals(Hash(user.Password), Hash(body.Password ?? "")))
            {
                return Results.Problem(title: "Unknown name or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Ok(new Session(user.Name, user.Role));
        }).AllowAnonymous().Produces<Session>().ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapGet("/session", (ClaimsPrincipal user) => Results.Ok(new Session(user.Identity!.Name!, user.FindFirstValue(ClaimTypes.Role)!)))
            .RequireAuthorization(AnalystConsolePolicies.Read).Produces<Session>().ProducesAuthorizationProblems();

        api.MapDelete("/session", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).AllowAnonymous().Produces(StatusCodes.Status204NoContent);
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}

/// <summary>read: analysts and viewers; change: analysts only.</summary>
public static class AnalystConsolePolicies
{
    public const string Read = "alerts.read";
    public const string Change = "alerts.change";
}
