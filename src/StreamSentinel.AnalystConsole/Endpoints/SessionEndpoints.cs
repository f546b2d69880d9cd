using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.Hosting.DependencyInjection;

namespace StreamSentinel.AnalystConsole.Endpoints;

/// <summary>
/// Signing in and out: a cookie session for the configured users, with their role as a claim. Every attempt is
/// audited; too many failures of one name from one address lock that pair out; the address to go back to after
/// sign-in is decided here, never by the browser.
/// </summary>
internal static class SessionEndpoints
{
    public const string SignInRateLimit = "sign-in";

    // Longer names are no user's: cut before they reach the audit trail.
    private const int LongestName = 64;

    public sealed record SignIn(string Name, string Password, string? ReturnUrl = null);

    public sealed record Session(string Name, string Role, string? ReturnTo = null);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/session", async (SignIn body, HttpContext http, IOptions<ConsoleOptions> options, SessionAudit audit, CancellationToken cancellationToken) =>
        {
            var name = (body.Name ?? "").Trim();
            name = name.Length > LongestName ? name[..LongestName] : name;
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (await audit.LockedUntilAsync(name, address, cancellationToken) is { } until)
            {
                await audit.RecordAsync(SessionAudit.Anonymous(address), SessionAudit.LockedOut, name, address, cancellationToken);
                var seconds = Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(
                    title: "Too many failed sign-ins for this name from this address; try again later.",
                    statusCode: StatusCodes.Status429TooManyRequests);
            }

            var user = options.Value.UserNamed(name);
            if (!ConsolePasswords.Verify(user, body.Password ?? ""))
            {
                await audit.RecordAsync(
                    SessionAudit.Anonymous(address), SessionAudit.SignInFailed, name, address, cancellationToken, user is null ? "unknown name" : "wrong password");
                return Results.Problem(title: "Unknown name or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, user!.Name),
                    new Claim(ClaimTypes.Role, user.Role),
                    new Claim(ConsoleSessions.StampClaim, ConsolePasswords.Stamp(user)),
                    new Claim(ConsoleSessions.SignedInClaim, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                ],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            await audit.RecordAsync(SessionAudit.Person(user.Role, user.Name), SessionAudit.SignedIn, user.Name, address, cancellationToken);
            return Results.Ok(new Session(user.Name, user.Role, LocalReturnUrl(body.ReturnUrl)));
        }).AllowAnonymous().RequireRateLimiting(SignInRateLimit).Produces<Session>().ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapGet("/session", (ClaimsPrincipal user) => Results.Ok(new Session(user.Identity!.Name!, user.FindFirstValue(ClaimTypes.Role)!)))
            .RequireAuthorization(AnalystConsolePolicies.Read).Produces<Session>().ProducesAuthorizationProblems();

        api.MapDelete("/session", async (HttpContext http, SessionAudit audit, CancellationToken cancellationToken) =>
        {
            if (http.User.Identity is { IsAuthenticated: true, Name: { } name })
            {
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                await audit.RecordAsync(SessionAudit.Person(http.User.FindFirstValue(ClaimTypes.Role) ?? "unknown", name), SessionAudit.SignedOut, name, address, cancellationToken);
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).AllowAnonymous().Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>
    /// Where the browser goes after sign-in: a path of this console, or "/". Refused: absolute URLs, and paths that a
    /// browser reads as another host ("//evil.example", "/\evil.example") or that carry control characters.
    /// </summary>
    public static string LocalReturnUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/' || url.Any(char.IsControl))
        {
            return "/";
        }

        return url.Length > 1 && url[1] is '/' or '\\' ? "/" : url;
    }
}

/// <summary>read: analysts and viewers; change: analysts only.</summary>
public static class AnalystConsolePolicies
{
    public const string Read = "alerts.read";
    public const string Change = "alerts.change";
}
