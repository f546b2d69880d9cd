using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// Four-eyes on verdicts (issue 19) through a console with <c>Console:FourEyes:Enabled</c>: a verdict is a proposal
/// in its own queue, the proposer cannot decide it, a second analyst's approval applies it, all audited.
/// </summary>
public sealed class FourEyesTests
{
    private ConsoleFixture _fixture = null!;
    private List<PersistableResult> _alerts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _fixture = await ConsoleFixture.StartAsync(
            seed: 71,
            alertShare: 0.5,
            results: 600,
            [("ana", "ana-password-0123", "analyst"), ("bob", "bob-password-0123", "analyst"), ("vera", "vera-password-0123", "viewer")],
            [],
            new Dictionary<string, string> { ["Console__FourEyes__Enabled"] = "true" });
        _alerts = [.. _fixture.Results.Where(r => r.IsAlert)];
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task A_confirmed_fraud_needs_a_second_analyst_and_the_proposer_cannot_approve_it()
    {
        using var ana = await SignInAsync("ana");
        using var bob = await SignInAsync("bob");
        using var vera = await SignInAsync("vera");
        var id = await AlertIdAsync(_alerts.First(a => a.Result.Severity == Severity.Medium).Result.TransactionId);
        var investigating = await ChangeAsync(ana, id, await VersionAsync(ana, id), "INVESTIGATING");
        var proposed = await ChangeAsync(ana, id, Tag(investigating), "CONFIRMED_FRAUD", "card used in two countries");
        var proposal = JsonNode.Parse(await proposed.Content.ReadAsStringAsync())!;
        var whileProposed = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["status"]!.GetValue<string>();
        var twice = await ChangeAsync(bob, id, Tag(investigating), "CONFIRMED_FRAUD");
        var queue = JsonNode.Parse(await vera.GetStringAsync("/api/approvals"))!.AsArray();
        var own = await ana.PostAsJsonAsync($"/api/approvals/{proposal["id"]}/approve", new { note = "me again" });
        var byViewer = await vera.PostAsJsonAsync($"/api/approvals/{proposal["id"]}/approve", new { note = "looks fine" });
        var approved = await bob.PostAsJsonAsync($"/api/approvals/{proposal["id"]}/approve", new { note = "agreed" });
        var result = JsonNode.Parse(await approved.Content.ReadAsStringAsync())!;
        var again = await bob.PostAsJsonAsync($"/api/approvals/{proposal["id"]}/reject", new { note = "changed my mind" });
        var queueAfter = JsonNode.Parse(await vera.GetStringAsync("/api/approvals"))!.AsArray();

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Actor, string Action, string Details)>(
            "SELECT actor, action, details::text FROM system_audit_log WHERE entity_type = 'fraud_alert' AND entity_id = @id AND action <> 'alert.created' ORDER BY id",
            new { id = id.ToString() })).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(proposed.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(proposal["proposed_by"]!.GetValue<string>(), Is.EqualTo("ana"));
            Assert.That(whileProposed, Is.EqualTo("INVESTIGATING"), "a proposal changes nothing by itself");
            Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "one open proposal per alert");
            Assert.That(queue.Select(p => p!["id"]!.GetValue<Guid>()), Does.Contain(proposal["id"]!.GetValue<Guid>()));
            Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the proposer cannot approve their own");
            Assert.That(byViewer.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a viewer decides nothing");
            Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(result["alert"]!["status"]!.GetValue<string>(), Is.EqualTo("CONFIRMED_FRAUD"));
            Assert.That(result["approval"]!["decided_by"]!.GetValue<string>(), Is.EqualTo("bob"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "decided once");
            Assert.That(queueAfter.Select(p => p!["id"]!.GetValue<Guid>()), Does.Not.Contain(proposal["id"]!.GetValue<Guid>()));
            Assert.That(audit.Select(a => (a.Actor, a.Action)), Is.EqualTo(new[]
            {
                ("analyst/ana", "alert.status_changed"), ("analyst/ana", "alert.verdict_proposed"),
                ("analyst/bob", "alert.verdict_approved"), ("analyst/ana", "alert.status_changed"),
            }));
            Assert.That(JsonNode.Parse(audit[^1].Details)!["approved_by"]!.GetValue<string>(), Is.EqualTo("bob"));
            Assert.That(JsonNode.Parse(audit[^1].Details)!["to"]!.GetValue<string>(), Is.EqualTo("CONFIRMED_FRAUD"));
        }
    }

    [Test]
    public async Task A_false_positive_needs_approval_only_on_a_critical_alert_and_a_database_check_backs_the_rule()
    {
        using var ana = await SignInAsync("ana");
        var critical = await AlertIdAsync(_alerts.First(a => a.Result.Severity == Severity.Critical).Result.TransactionId);
        var high = await AlertIdAsync(_alerts.First(a => a.Result.Severity == Severity.High).Result.TransactionId);
        var onCritical = await ChangeAsync(ana, critical, Tag(await ChangeAsync(ana, critical, await VersionAsync(ana, critical), "INVESTIGATING")), "FALSE_POSITIVE");
        var onHigh = await ChangeAsync(ana, high, Tag(await ChangeAsync(ana, high, await VersionAsync(ana, high), "INVESTIGATING")), "FALSE_POSITIVE");

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var selfApproval = Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await connection.ExecuteAsync(
            "UPDATE verdict_approvals SET decision = 'APPROVED', decided_by = proposed_by, decided_at = now() WHERE alert_id = @critical", new { critical }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(onCritical.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(onHigh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(selfApproval!.ConstraintName, Is.EqualTo("verdict_approvals_four_eyes_check"));
        }
    }

    private async Task<HttpClient> SignInAsync(string name)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _fixture.Address };
        var response = await http.PostAsJsonAsync("/api/session", new { name, password = $"{name}-password-0123" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return http;
    }

    private static async Task<string> VersionAsync(HttpClient http, Guid id) =>
        JsonNode.Parse(await http.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["version"]!.GetValue<uint>().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Tag(HttpResponseMessage response) => response.Headers.ETag?.Tag.Trim('"') ?? "missing";

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient http, Guid id, string version, string status, string? note = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{id}/status") { Content = JsonContent.Create(new { status, note }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return http.SendAsync(request);
    }

    private async Task<Guid> AlertIdAsync(string transactionId)
    {
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT id FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId });
    }
}
