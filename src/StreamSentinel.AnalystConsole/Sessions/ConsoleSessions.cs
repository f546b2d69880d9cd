using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Options;

namespace StreamSentinel.AnalystConsole.Sessions;

/// <summary>
/// Checks a session cookie on every request against the configuration as it is now: a user removed, given another
/// role or another password loses the session at once, and no session outlives
/// <see cref="ConsoleOptions.AbsoluteSessionHours"/> however active it is (the sliding expiry alone would let it).
/// </summary>
public static class ConsoleSessions
{
    /// <summary>Fingerprint of the password hash the session was opened with (<see cref="ConsolePasswords.Stamp"/>).</summary>
    public const string StampClaim = "stream-sentinel/stamp";

    /// <summary>Unix seconds of the sign-in.</summary>
    public const string SignedInClaim = "stream-sentinel/signed-in";

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ConsoleOptions>>().CurrentValue;
        var principal = context.Principal;
        var name = principal?.Identity?.Name;
        var user = options.UserNamed(name);
        var signedIn = long.TryParse(principal?.FindFirstValue(SignedInClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        var valid = user is not null && principal is not null
            && principal.FindFirstValue(ClaimTypes.Role) == user.Role
            && principal.FindFirstValue(StampClaim) == ConsolePasswords.Stamp(user)
            && DateTimeOffset.UtcNow - signedIn < TimeSpan.FromHours(options.AbsoluteSessionHours);
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
