using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// <c>run console</c> through the entry point, against real PostgreSQL and ClickHouse holding alerts the persistence
/// fleet's own writers stored: sign-in and roles, the queue's filters and keyset paging, the workflow, the audit
/// trail, and two analysts who must not overwrite each other.
/// </summary>
public sealed partial class ConsoleApiTests
{
    private ConsoleFixture _fixture = null!;
    private List<PersistableResult> _alerts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // What the fleet page reads besides its live probes: snapshots of two workers, as the fleet stores them.
        var now = DateTimeOffset.UtcNow;
        _fixture = await ConsoleFixture.StartAsync(
            seed: 51,
            alertShare: 0.4,
            results: 800,
            [("ana", "ana-password-0123", "analyst"), ("bob", "bob-password-0123", "analyst"), ("vera", "vera-password-0123", "viewer")],
            [
                .. Enumerable.Range(0, 3).Select(i => ConsoleFixture.Snapshot(WorkerKinds.Detection, "test-detection", now.AddSeconds(-70 + (i * 10)), 1000, lag: 7 - i, deadLettered: 2)),
                ConsoleFixture.Snapshot(WorkerKinds.Gateway, "test-gateway", now.AddSeconds(-30), 1000, lag: null),
            ]);
        _alerts = [.. _fixture.Results.Where(r => r.IsAlert)];
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task Nobody_reads_alerts_without_signing_in_and_a_viewer_reads_but_cannot_change()
    {
        using var anonymous = new HttpClient { BaseAddress = _fixture.Address };
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var id = (await FirstPageAsync(viewer, "limit=1"))[0]!["id"]!.GetValue<Guid>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await anonymous.GetAsync("/api/alerts")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync($"/api/alerts/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var wrong = await anonymous.PostAsJsonAsync("/api/session", new { name = "ana", password = "not-her-password" });
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await viewer.GetAsync($"/api/alerts/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var change = await ChangeAsync(viewer, id, "1", "INVESTIGATING");
            Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    [Test]
    public async Task Keyset_pages_return_every_alert_once_in_queue_order_and_filters_narrow_them()
    {
        using var analyst = await _fixture.SignInAsync("ana", "ana-password-0123");
        var seen = new List<(DateTimeOffset CreatedAt, Guid Id)>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await analyst.GetStringAsync($"/api/alerts?limit=37{(cursor is null ? "" : "&cursor=" + cursor)}"))!;
            seen.AddRange(page["items"]!.AsArray().Select(a => (a!["created_at"]!.GetValue<DateTimeOffset>(), a["id"]!.GetValue<Guid>())));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        var critical = await FirstPageAsync(analyst, "severity=critical&limit=1000");
        var user = _alerts[0].Result.UserId;
        var ofUser = await FirstPageAsync(analyst, $"user={user}&limit=1000");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Select(s => s.Id), Is.Unique);
            Assert.That(seen, Has.Count.EqualTo(_alerts.Count));
            Assert.That(seen, Is.EqualTo(seen.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id, Comparer<Guid>.Create(ComparePostgres))), "newest first, id as tie-breaker");
            Assert.That(critical.Select(a => a!["severity"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "CRITICAL" }));
            Assert.That(critical, Has.Count.EqualTo(_alerts.Count(a => a.Result.Severity == Severity.Critical)));
            Assert.That(ofUser, Has.Count.EqualTo(_alerts.Count(a => a.Result.UserId == user)));
            Assert.That((await analyst.GetAsync("/api/alerts?severity=urgent")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await analyst.GetAsync("/api/alerts?cursor=not-a-cursor")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    [Test]
    public async Task An_alert_moves_through_the_workflow_only_along_it_and_every_change_is_audited()
    {
        using var analyst = await _fixture.SignInAsync("ana", "ana-password-0123");
        var alert = _alerts[1];
        var id = await AlertIdAsync(alert.Result.TransactionId);
        var detail = JsonNode.Parse(await analyst.GetStringAsync($"/api/alerts/{id}"))!;
        var version = detail["alert"]!["version"]!.GetValue<uint>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var skip = await ChangeAsync(analyst, id, version, "RESOLVED");
        var noVersion = await analyst.PostAsJsonAsync($"/api/alerts/{id}/status", new { status = "INVESTIGATING" });
        var investigate = await ChangeAsync(analyst, id, version, "INVESTIGATING", note: "velocity looks real");
        var confirm = await ChangeAsync(analyst, id, ETag(investigate), "CONFIRMED_FRAUD", note: "customer confirmed");
        var resolve = await ChangeAsync(analyst, id, ETag(confirm), "RESOLVED");
        var reopen = await ChangeAsync(analyst, id, ETag(resolve), "INVESTIGATING");
        var after = JsonNode.Parse(await analyst.GetStringAsync($"/api/alerts/{id}"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(detail["allowed_next"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "INVESTIGATING" }));
            Assert.That(detail["recent_transactions"]!.AsArray().Select(t => t!["transaction_id"]!.GetValue<string>()), Does.Contain(alert.Result.TransactionId), "from ClickHouse");
            Assert.That(skip.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(noVersion.StatusCode, Is.EqualTo((HttpStatusCode)428));
            Assert.That((investigate.StatusCode, confirm.StatusCode, resolve.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK)));
            Assert.That(reopen.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "RESOLVED is final");
            Assert.That(after["alert"]!["status"]!.GetValue<string>(), Is.EqualTo("RESOLVED"));
            Assert.That(after["alert"]!["assignee"]!.GetValue<string>(), Is.EqualTo("ana"));
            Assert.That(
                after["history"]!.AsArray().Select(h => (h!["action"]!.GetValue<string>(), h["details"]!["to"]?.GetValue<string>())),
                Is.EqualTo(new (string, string?)[]
                {
                    ("alert.created", null), ("alert.status_changed", "INVESTIGATING"), ("alert.status_changed", "CONFIRMED_FRAUD"), ("alert.status_changed", "RESOLVED"),
                }));
        }

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Actor, string Details, Guid EventId)>(
            "SELECT actor, details::text, event_id FROM system_audit_log WHERE entity_type = 'fraud_alert' AND entity_id = @id AND action = 'alert.status_changed' ORDER BY id",
            new { id = id.ToString() })).ToList();
        Assert.That(audit.Select(a => a.Actor).Distinct(), Is.EqualTo(new[] { "analyst/ana" }));
        Assert.That(JsonNode.Parse(audit[1].Details)!["note"]!.GetValue<string>(), Is.EqualTo("customer confirmed"));

        // The same changes, with the same ids, on audit-events: the verdict among them reaches ClickHouse through the fleet.
        var published = ReadAuditEvents(audit.Select(a => a.EventId).ToHashSet());
        Assert.That(published.Keys, Is.EquivalentTo(audit.Select(a => a.EventId)));
        Assert.That(published[audit[1].EventId]!["details"]!["model_version"]!.GetValue<string>(), Is.EqualTo(alert.Result.ModelVersion));
    }

    [Test]
    public async Task An_alert_goes_only_to_an_analyst_of_the_console_by_the_name_configured()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        var id = await AlertIdAsync(_alerts[3].Result.TransactionId);
        var version = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["version"]!.GetValue<uint>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var stranger = await ChangeAsync(ana, id, version, "INVESTIGATING", assignee: "mallory");
        var viewer = await ChangeAsync(ana, id, version, "INVESTIGATING", assignee: "vera");
        var typed = await ChangeAsync(ana, id, version, "INVESTIGATING", assignee: "BOB");
        var after = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{id}"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stranger.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await stranger.Content.ReadAsStringAsync(), Does.Contain("is not an analyst of this console"));
            Assert.That(viewer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a viewer cannot work alerts");
            Assert.That(typed.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => typed.Content.ReadAsStringAsync().Result);
            Assert.That(after["alert"]!["assignee"]!.GetValue<string>(), Is.EqualTo("bob"), "stored as the console's user is named, as sign-in matches names");
        }
    }

    [Test]
    public async Task Two_analysts_deciding_the_same_alert_never_overwrite_each_other_silently()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        using var bob = await _fixture.SignInAsync("bob", "bob-password-0123");
        var id = await AlertIdAsync(_alerts[2].Result.TransactionId);
        var seenByAna = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["version"]!.GetValue<uint>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var seenByBob = JsonNode.Parse(await bob.GetStringAsync($"/api/alerts/{id}"))!["alert"]!["version"]!.GetValue<uint>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var first = await ChangeAsync(ana, id, seenByAna, "INVESTIGATING", assignee: "ana");
        var second = await ChangeAsync(bob, id, seenByBob, "INVESTIGATING", assignee: "bob");
        var problem = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var changes = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM system_audit_log WHERE entity_id = @id AND action = 'alert.status_changed'", new { id = id.ToString() });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seenByBob, Is.EqualTo(seenByAna));
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
            Assert.That(problem["current"]!["assignee"]!.GetValue<string>(), Is.EqualTo("ana"), "the answer shows what Bob did not see");
            Assert.That(changes, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_second_console_accepts_the_session_the_first_one_issued()
    {
        // A home of its own, as on another machine: keys kept beside the process (ASP.NET Core's default) would not be shared.
        var home = Directory.CreateTempSubdirectory("ss-console-2-");
        using var second = ChildProcess.Start("console-2", new Dictionary<string, string>(_fixture.Environment) { ["HOME"] = home.FullName }, "run", "console", "--http-port", "0");
        await second.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
        var cookies = new CookieContainer();
        using var atFirst = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = _fixture.Address };
        var signIn = await atFirst.PostAsJsonAsync("/api/session", new { name = "ana", password = "ana-password-0123" });
        // Cookies belong to a host, not a port: the same jar presents the first console's cookie to the second.
        using var atSecond = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(Listening().Match(second.Output).Groups[1].Value) };
        var session = await atSecond.GetAsync("/api/session");
        var alerts = await atSecond.GetAsync("/api/alerts?limit=1");
        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(20));
        home.Delete(recursive: true);
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var keys = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM console_key_ring");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(session.StatusCode, Is.EqualTo(HttpStatusCode.OK), "one key ring in PostgreSQL for every console");
            Assert.That(JsonNode.Parse(await session.Content.ReadAsStringAsync())!["name"]!.GetValue<string>(), Is.EqualTo("ana"));
            Assert.That(alerts.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(keys, Is.Positive);
        }
    }

    [Test]
    public async Task Pages_need_a_signed_in_user_and_allow_no_inline_script()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _fixture.Address };
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var id = await AlertIdAsync(_alerts[0].Result.TransactionId);

        var redirected = await anonymous.GetAsync("/?severity=CRITICAL");
        var queue = await viewer.GetAsync("/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(redirected.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(redirected.Headers.Location?.OriginalString, Is.EqualTo("/login?returnUrl=%2F%3Fseverity%3DCRITICAL"));
            Assert.That((await anonymous.GetAsync("/login")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await anonymous.GetAsync("/assets/app.js")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "scripts hold no data");
            Assert.That(queue.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(queue.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(queue.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self';").And.Contain("frame-ancestors 'none'"));
            foreach (var page in new[] { $"/alerts/{id}", "/bi", "/sre" })
            {
                Assert.That((await viewer.GetAsync(page)).StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
            }
        }
    }

    [Test]
    public async Task Bi_queries_answer_as_chartable_data_for_every_role_and_refuse_bad_windows()
    {
        using var anonymous = new HttpClient { BaseAddress = _fixture.Address };
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var queries = JsonNode.Parse(await viewer.GetStringAsync("/api/bi"))!.AsArray();
        var rules = JsonNode.Parse(await viewer.GetStringAsync("/api/bi/rules_firing?limit=100"))!;
        var columns = rules["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var fired = rules["rows"]!.AsArray().ToDictionary(r => r![0]!.GetValue<string>(), r => long.Parse(r![columns.IndexOf("fired")]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var expected = _fixture.Results.SelectMany(r => r.Result.BusinessRulesTriggered).GroupBy(rule => rule).ToDictionary(g => g.Key, g => (long)g.Count());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queries.Select(q => q!["name"]!.GetValue<string>()), Is.EquivalentTo(StreamSentinel.ClickHouse.Querying.BiQueries.All.Select(q => q.Name)));
            Assert.That(queries.Select(q => q!["chart"]), Has.All.Not.Null, "every query says how to draw it");
            Assert.That(columns, Does.Contain("rule").And.Contain("on_alerts"), "the chart's columns are in the result");
            Assert.That(fired, Is.EqualTo(expected), "counted from detection_results as stored");
            Assert.That((await anonymous.GetAsync("/api/bi/rules_firing")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await viewer.GetAsync("/api/bi/fraud_rate_by_planet")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await viewer.GetAsync("/api/bi/rules_firing?from=2026-12-01&to=2026-11-01")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await viewer.GetAsync("/api/bi/rules_firing?limit=0")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await viewer.GetAsync("/api/bi/rules_firing?from=1900-01-01")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "before ClickHouse's DateTime");
        }
    }

    [Test]
    public async Task The_fleet_page_shows_probed_workers_live_and_every_worker_that_reports()
    {
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var fleet = JsonNode.Parse(await viewer.GetStringAsync("/api/fleet?minutes=30"))!;
        var probed = fleet["probed"]!.AsArray().ToDictionary(w => w!["name"]!.GetValue<string>());
        var reporting = fleet["reporting"]!.AsArray().ToDictionary(w => w!["worker_id"]!.GetValue<string>());
        var detectionSteps = fleet["steps"]!.AsArray().Where(s => s!["worker_kind"]!.GetValue<string>() == WorkerKinds.Detection).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(probed["the-console"]!["ready"]!.GetValue<bool>(), Is.True);
            Assert.That(probed["the-console"]!["readiness"]!.GetValue<string>(), Is.EqualTo("200 Healthy"));
            Assert.That(probed["gone"]!["ready"]!.GetValue<bool>(), Is.False);
            Assert.That(probed["gone"]!["readiness"]!.GetValue<string>(), Does.StartWith("unreachable"));
            Assert.That(reporting["test-detection"]!["messages_out"]!.GetValue<long>(), Is.EqualTo(3000));
            Assert.That(reporting["test-detection"]!["dead_letters"]!.GetValue<long>(), Is.EqualTo(6));
            Assert.That(reporting["test-detection"]!["lag"]!.GetValue<long>(), Is.EqualTo(5), "the last snapshot's lag");
            Assert.That(reporting["test-gateway"]!["lag"], Is.Null, "a gateway consumes nothing");
            Assert.That(detectionSteps.Sum(s => s!["dead_letters"]!.GetValue<long>()), Is.EqualTo(6));
            Assert.That(detectionSteps.Max(s => s!["flush_p99_ms"]!.GetValue<double>()), Is.EqualTo(12.5));
            Assert.That(
                detectionSteps.Sum(s => s!["out_per_second"]!.GetValue<double>() * fleet["step_seconds"]!.GetValue<int>()),
                Is.EqualTo(3000).Within(detectionSteps.Count), "per-second rates add back up to the messages (rounded to 0.1/s)");
            Assert.That((await viewer.GetAsync("/api/fleet?minutes=0")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    /// <summary>The audit events with these ids on the run's broker (the console publishes to the stack's Kafka).</summary>
    private static Dictionary<Guid, JsonNode> ReadAuditEvents(HashSet<Guid> ids)
    {
        using var consumer = TopicReader.FromStart(TestServers.Current.Kafka, Topics.AuditEvents);
        var found = new Dictionary<Guid, JsonNode>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (found.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200))?.Message.Value is { } value
                && JsonNode.Parse(value) is { } node && Guid.TryParse(node["event_id"]?.GetValue<string>(), out var id) && ids.Contains(id))
            {
                found[id] = node;
            }
        }

        consumer.Close();
        return found;
    }

    private static async Task<JsonArray> FirstPageAsync(HttpClient http, string query) =>
        JsonNode.Parse(await http.GetStringAsync($"/api/alerts?{query}"))!["items"]!.AsArray();

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient http, Guid id, string version, string status, string? note = null, string? assignee = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{id}/status") { Content = JsonContent.Create(new { status, note, assignee }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return http.SendAsync(request);
    }

    private static string ETag(HttpResponseMessage response) => response.Headers.ETag?.Tag.Trim('"') ?? "missing";

    private async Task<Guid> AlertIdAsync(string transactionId)
    {
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT id FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId });
    }

    // PostgreSQL orders uuids by their bytes as written; .NET's Guid.CompareTo does not.
    private static int ComparePostgres(Guid a, Guid b) => string.CompareOrdinal(a.ToString("N"), b.ToString("N"));

    [GeneratedRegex(@"metrics on (http://\S+) ")]
    private static partial Regex Listening();
}
