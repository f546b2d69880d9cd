using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// Attacks on the console's sign-in, against <c>run console</c> through the entry point with real PostgreSQL: guessing a
/// password, a return address that leads to another site, a cookie kept after its user was removed, plain-text
/// passwords in configuration; and the audit trail each of them leaves.
/// </summary>
public sealed class ConsoleIdentityAttackTests
{
    private const string AnaPassword = "ana-password-0123";
    private const string BobPassword = "bob-password-0123";
    private ConsoleFixture _fixture = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _fixture = await ConsoleFixture.StartAsync(
            seed: 18, alertShare: 0.5, results: 20, [("ana", AnaPassword, "analyst"), ("bob", BobPassword, "analyst"), ("mallory", "mallory-password-0123", "viewer")], []);

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task A_brute_force_on_a_name_is_locked_out_even_with_the_right_password_and_audited()
    {
        using var attacker = NewClient(cookies: false);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await attacker.PostAsJsonAsync("/api/session", new { name = "ana", password = $"guess-number-{i:D4}" })).StatusCode);
        }

        var rightPassword = await attacker.PostAsJsonAsync("/api/session", new { name = "ANA", password = AnaPassword });
        var otherName = await NewClient().PostAsJsonAsync("/api/session", new { name = "bob", password = BobPassword });

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Actor, string Action, string Details)>(
            "SELECT actor, action, details::text FROM system_audit_log WHERE entity_type = 'console_user' AND entity_id = 'ana' ORDER BY id")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(rightPassword.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the right password after five failures");
            Assert.That(rightPassword.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.FromMinutes(10)), "Retry-After: the lockout's 15 minutes");
            Assert.That(rightPassword.Headers.Contains("Set-Cookie"), Is.False, "no session for a locked-out name");
            Assert.That(otherName.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the lockout is per name and address: another user at the same address signs in");
            Assert.That(audit.Count(a => a.Action == SessionAudit.SignInFailed), Is.EqualTo(5));
            Assert.That(audit.Count(a => a.Action == SessionAudit.LockedOut), Is.EqualTo(1));
            Assert.That(audit.Where(a => a.Action != SessionAudit.SignedIn).Select(a => a.Actor), Is.All.EqualTo("anonymous/127.0.0.1"));
            Assert.That(audit.Any(a => a.Action == SessionAudit.SignedIn), Is.False);
            Assert.That(audit.Where(a => a.Action == SessionAudit.SignInFailed).Select(a => JsonNode.Parse(a.Details)!["reason"]!.GetValue<string>()), Is.All.EqualTo("wrong password"));
        }
    }

    [TestCase("//evil.example/")]
    [TestCase("/\\evil.example/")]
    [TestCase("https://evil.example/")]
    [TestCase("http://127.0.0.1//evil.example")]
    [TestCase("/%09/evil.example")]
    [TestCase("\t//evil.example")]
    public async Task A_return_address_off_this_console_is_replaced_by_the_home_page(string returnUrl)
    {
        using var http = NewClient();
        var answer = await http.PostAsJsonAsync("/api/session", new { name = "mallory", password = "mallory-password-0123", return_url = returnUrl });
        var session = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        // "/%09/evil.example" is a path of this console (the tab stays encoded): kept; every other one leads home.
        Assert.That(session["return_to"]!.GetValue<string>(), Is.EqualTo(returnUrl == "/%09/evil.example" ? returnUrl : "/"));
    }

    [Test]
    public async Task A_return_address_on_this_console_is_kept()
    {
        using var http = NewClient();
        var answer = await http.PostAsJsonAsync("/api/session", new { name = "mallory", password = "mallory-password-0123", return_url = "/bi?from=2026-01-01" });
        Assert.That(JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["return_to"]!.GetValue<string>(), Is.EqualTo("/bi?from=2026-01-01"));
    }

    [Test]
    public async Task A_removed_user_or_a_changed_role_loses_the_session_at_every_console_sharing_the_key_ring()
    {
        using var bob = await SignInAsync("bob", BobPassword);
        using var mallory = await SignInAsync("mallory", "mallory-password-0123");
        // A second console like the first (same databases, same key ring), configured without bob and with mallory
        // made an analyst: what an operator does to take a person's access away or change it.
        var environment = _fixture.Environment
            .Where(pair => !pair.Key.StartsWith("Console__Users__", StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        environment["Console__Users__0__Name"] = "ana";
        environment["Console__Users__0__PasswordHash"] = ConsolePasswords.Hash(AnaPassword);
        environment["Console__Users__0__Role"] = "analyst";
        environment["Console__Users__1__Name"] = "mallory";
        environment["Console__Users__1__PasswordHash"] = ConsolePasswords.Hash("mallory-password-0123");
        environment["Console__Users__1__Role"] = "analyst";
        using var second = ChildProcess.Start("second-console", environment, "run", "console", "--http-port", "0");
        try
        {
            await second.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
            var address = second.HttpAddress;
            using (Assert.EnterMultipleScope())
            {
                Assert.That((await bob.GetAsync("/api/alerts")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "bob's session at the console that still knows him");
                Assert.That((await bob.GetAsync(new Uri(address, "/api/alerts"))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "bob removed");
                Assert.That((await mallory.GetAsync(new Uri(address, "/api/alerts"))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "mallory's role changed");
            }
        }
        finally
        {
            second.Terminate();
            await second.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Test]
    public async Task Signing_out_is_audited_and_the_cookie_no_longer_reads()
    {
        using var http = await SignInAsync("bob", BobPassword);
        var signedOut = await http.DeleteAsync("/api/session");
        var afterwards = await http.GetAsync("/api/alerts");

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var actions = (await connection.QueryAsync<string>(
            "SELECT action FROM system_audit_log WHERE entity_type = 'console_user' AND entity_id = 'bob' AND actor = 'analyst/bob' ORDER BY id")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(signedOut.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(actions, Does.Contain(SessionAudit.SignedIn));
            Assert.That(actions, Does.Contain(SessionAudit.SignedOut));
        }
    }

    [Test]
    public async Task An_endpoint_nobody_declared_public_needs_a_session_while_health_and_assets_stay_open()
    {
        using var anonymous = NewClient();
        using (Assert.EnterMultipleScope())
        {
            // No endpoint has this path: the fallback policy answers before "not found" could tell what exists.
            Assert.That((await anonymous.GetAsync("/api/not-an-endpoint")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await anonymous.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await anonymous.GetAsync("/assets/login.js")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await anonymous.GetAsync("/login")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task Behind_a_TLS_proxy_the_cookie_is_secure_and_HSTS_is_sent()
    {
        using var http = NewClient(cookies: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { name = "mallory", password = "mallory-password-0123" }) };
        // What a TLS-terminating proxy on this machine (loopback: trusted) adds; a public host name, since HSTS is never sent for localhost.
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Host = "console.example";
        var behindProxy = await http.SendAsync(request);
        var direct = await NewClient(cookies: false).PostAsJsonAsync("/api/session", new { name = "mallory", password = "mallory-password-0123" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(behindProxy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(behindProxy.Headers.GetValues("Set-Cookie").Single(), Does.Contain("secure").IgnoreCase.And.Contain("httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase);
            Assert.That(behindProxy.Headers.GetValues("Strict-Transport-Security").Single(), Does.StartWith("max-age="));
            Assert.That(direct.Headers.GetValues("Set-Cookie").Single(), Does.Not.Contain("secure").IgnoreCase, "plain HTTP from a browser on this machine");
            Assert.That(direct.Headers.Contains("Strict-Transport-Security"), Is.False);
        }
    }

    [Test]
    public async Task With_a_certificate_configured_the_console_serves_HTTPS_only()
    {
        var tls = System.Environment.GetEnvironmentVariable("SS_TLS_CA") is { Length: > 0 } ca
            ? Path.GetDirectoryName(ca)!
            : throw new InvalidOperationException("SS_TLS_CA is not set: scripts/stack.sh up writes it to .stack/env");
        var environment = new Dictionary<string, string>(_fixture.Environment)
        {
            ["Kestrel__Certificates__Default__Path"] = Path.Combine(tls, "server.crt"),
            ["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(tls, "server.key"),
        };
        using var secure = ChildProcess.Start("https-console", environment, "run", "console", "--http-port", "0");
        try
        {
            await secure.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
            var address = new Uri(System.Text.RegularExpressions.Regex.Match(secure.Output, @"metrics on (https://\S+?)[\s,]").Groups[1].Value);
            using var caCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(tls, "ca.crt")));
            using var handler = new HttpClientHandler
            {
                // Trust the stack's CA alone, as a client given its CA file would.
                ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                {
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(caCertificate);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(certificate)
                        && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None;
                },
            };
            using var https = new HttpClient(handler) { BaseAddress = address };
            using var plain = new HttpClient { BaseAddress = new UriBuilder(address) { Scheme = "http" }.Uri, Timeout = TimeSpan.FromSeconds(10) };
            using (Assert.EnterMultipleScope())
            {
                Assert.That(address.Scheme, Is.EqualTo("https"));
                Assert.That((await https.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(async () => await plain.GetAsync("/healthz"), Throws.InstanceOf<HttpRequestException>(), "plain HTTP on the HTTPS port");
            }
        }
        finally
        {
            secure.Terminate();
            await secure.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Test]
    public async Task A_plain_text_password_in_configuration_is_refused_at_start_with_the_setting_named()
    {
        var environment = new Dictionary<string, string>(_fixture.Environment)
        {
            ["Console__Users__0__Password"] = "a-plain-text-password",
        };
        var result = await Infrastructure.Cli.RunAsync(environment, TimeSpan.FromMinutes(3), "run", "console", "--http-port", "0");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Output);
            Assert.That(result.Output, Does.Contain("Console:Users:0:Password holds a plain-text password"));
            Assert.That(result.Output, Does.Contain("hash-password"));
            Assert.That(result.Output, Does.Not.Contain("a-plain-text-password"), "the refused password is not echoed");
        }
    }

    [Test]
    public async Task Hash_password_reads_stdin_and_its_hash_signs_in()
    {
        var info = new ProcessStartInfo(Infrastructure.Cli.Script, ["hash-password"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteLineAsync("a-password-from-stdin");
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync());
            Assert.That(ConsolePasswords.IsHash(output), Is.True, output);
            Assert.That(output, Does.Not.Contain("a-password-from-stdin"));
            Assert.That(ConsolePasswords.Verify(new() { Name = "x", PasswordHash = output, Role = "viewer" }, "a-password-from-stdin"), Is.True);
            Assert.That(ConsolePasswords.Verify(new() { Name = "x", PasswordHash = output, Role = "viewer" }, "another-password-0"), Is.False);
        }
    }

    // cookies: false leaves Set-Cookie in the answer for the test to read, rather than in a cookie container.
    private HttpClient NewClient(bool cookies = true) =>
        new(new HttpClientHandler { UseCookies = cookies, CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _fixture.Address };

    private async Task<HttpClient> SignInAsync(string name, string password)
    {
        var http = NewClient();
        var response = await http.PostAsJsonAsync("/api/session", new { name, password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return http;
    }
}
