using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Issue 18, item 7: a secret copied from an example ("change-me-…") or a development default stops a service at
/// start with exit code 2 and a message naming the setting, before it serves anything.
/// </summary>
public sealed class PlaceholderSecretTests
{
    [Test]
    public async Task A_placeholder_gateway_token_stops_the_gateway_at_start_naming_the_setting()
    {
        var result = await Infrastructure.Cli.RunAsync(
            new Dictionary<string, string> { ["SS_KAFKA"] = "127.0.0.1:1", ["Gateway__Tokens__0"] = "change-me-gateway-token" },
            "run", "gateway", "--http-port", "0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
            Assert.That(result.Output, Does.Contain("Gateway:Tokens:0 holds a well-known placeholder"));
        }
    }

    [Test]
    public async Task A_placeholder_audit_signing_key_stops_persistence_at_start_naming_the_setting()
    {
        var environment = new Dictionary<string, string>(TestServers.Current.Environment())
        {
            ["SS_AUDIT_SIGNING_KEY_ID"] = "test-1",
            ["SS_AUDIT_SIGNING_KEY"] = "change-me-to-a-random-secret-of-32-characters",
        };
        var result = await Infrastructure.Cli.RunAsync(environment, "run", "persistence", "--http-port", "0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
            Assert.That(result.Output, Does.Contain("AuditSigning:Key holds a well-known placeholder"));
        }
    }

    [Test]
    public async Task A_development_default_database_password_stops_a_command_naming_the_connection_string()
    {
        var environment = new Dictionary<string, string>(TestServers.Current.Environment())
        {
            ["SS_POSTGRES"] = "Host=127.0.0.1;Port=1;Database=stream_sentinel;Username=sentinel_writer;Password=writer-dev-password",
        };
        var result = await Infrastructure.Cli.RunAsync(environment, "migrate", "--dry-run");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString);
            Assert.That(result.Output, Does.Contain("The password in ConnectionStrings:Postgres holds a well-known placeholder"));
        }
    }
}
