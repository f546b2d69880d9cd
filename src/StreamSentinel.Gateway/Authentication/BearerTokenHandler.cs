using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Gateway.Options;

namespace StreamSentinel.Gateway.Authentication;

/// <summary>
/// Static bearer tokens, one per payment system, from configuration: what an intake behind a private network needs.
/// Compared in constant time. (An identity provider with JWTs would replace this handler, not the endpoints.)
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<GatewayOptions> gateway)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private readonly byte[][] _tokens = [.. gateway.Value.Tokens.Select(Encoding.UTF8.GetBytes)];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var index = Array.FindIndex(_tokens, t => CryptographicOperations.FixedTimeEquals(t, presented));
        if (index < 0)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown bearer token."));
        }

        // The client is named by the token's position, never by the token itself.
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"client-{index}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
