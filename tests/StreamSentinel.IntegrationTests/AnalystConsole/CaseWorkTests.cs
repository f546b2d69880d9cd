using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// Case work through the console's API (issue 19), against a console started through the entry point over alerts
/// the fleet's writer stored (and gave cases): the case queue, a case's alerts, and actions on a case.
/// </summary>
public sealed class CaseWorkTests
{
    private ConsoleFixture _fixture = null!;
    private List<PersistableResult> _alerts = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _fixture = await ConsoleFixture.StartAsync(
            seed: 61,
            alertShare: 0.5,
            results: 4000,
            [("ana", "ana-password-0123", "analyst"), ("bob", "bob-password-0123", "analyst"), ("vera", "vera-password-0123", "viewer")],
            []);
        _alerts = [.. _fixture.Results.Where(r => r.IsAlert)];
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    public async Task The_case_queue_pages_every_case_once_summarized_from_its_users_alerts()
    {
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await viewer.GetStringAsync($"/api/cases?open=false&limit=29{(cursor is null ? "" : "&cursor=" + cursor)}"))!;
            seen.AddRange(page["items"]!.AsArray().Select(c => c!));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        // The fixture's results span seconds, so each user's alerts are one case (window 60 minutes): expected from
        // the results themselves, not from the database.
        var expected = _alerts.GroupBy(a => a.Result.UserId).ToDictionary(
            g => g.Key,
            g => (Count: g.Count(), Amount: g.Sum(a => a.Transaction.Amount), Worst: g.Max(a => a.Result.Severity).ToString().ToUpperInvariant()));
        var byUser = seen.ToDictionary(c => c["user_id"]!.GetValue<string>());
        var withMany = expected.First(e => e.Value.Count >= 2).Key;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Select(c => c["id"]!.GetValue<Guid>()), Is.Unique);
            Assert.That(byUser.Keys, Is.EquivalentTo(expected.Keys), "one case per user");
            foreach (var (user, want) in expected)
            {
                Assert.That(
                    (byUser[user]["alerts"]!.GetValue<int>(), byUser[user]["total_amount"]!.GetValue<decimal>(), byUser[user]["worst_severity"]!.GetValue<string>()),
                    Is.EqualTo(want),
                    user);
            }

            Assert.That(
                seen.Select(c => c["last_alert_at"]!.GetValue<DateTimeOffset>()),
                Is.Ordered.Descending, "latest activity first");
            var detail = JsonNode.Parse(await viewer.GetStringAsync($"/api/cases/{byUser[withMany]["id"]}"))!;
            Assert.That(detail["alerts"]!.AsArray().Select(a => a!["transaction_id"]!.GetValue<string>()),
                Is.EquivalentTo(_alerts.Where(a => a.Result.UserId == withMany).Select(a => a.Result.TransactionId)));
            Assert.That((await viewer.GetAsync("/api/cases?open=maybe")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await viewer.GetAsync($"/api/cases/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    [Test]
    public async Task An_action_on_a_case_moves_each_of_its_alerts_audited_and_a_stale_version_changes_nothing()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        using var bob = await _fixture.SignInAsync("bob", "bob-password-0123");
        using var viewer = await _fixture.SignInAsync("vera", "vera-password-0123");
        var user = _alerts.GroupBy(a => a.Result.UserId).First(g => g.Count() >= 3).Key;
        var caseNode = JsonNode.Parse(await ana.GetStringAsync($"/api/cases?user={user}"))!["items"]!.AsArray().Single()!;
        var caseId = caseNode["id"]!.GetValue<Guid>();
        var version = caseNode["version"]!.GetValue<string>();
        var alerts = JsonNode.Parse(await ana.GetStringAsync($"/api/cases/{caseId}"))!["alerts"]!.AsArray();

        // Bob takes one of its alerts on his own first: the case Ana read has changed since.
        var one = alerts[0]!;
        var single = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{one["id"]}/status") { Content = JsonContent.Create(new { status = "INVESTIGATING" }) };
        single.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{one["version"]}\""));
        Assert.That((await bob.SendAsync(single)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var noVersion = await ana.PostAsJsonAsync($"/api/cases/{caseId}/status", new { status = "INVESTIGATING" });
        var byViewer = await ChangeAsync(viewer, caseId, version, "INVESTIGATING", "looking");
        var stale = await ChangeAsync(ana, caseId, version, "INVESTIGATING", "looking");
        var current = JsonNode.Parse(await stale.Content.ReadAsStringAsync())!["current"]!;
        var investigate = await ChangeAsync(ana, caseId, current["version"]!.GetValue<string>(), "INVESTIGATING", "one user, many alerts");
        var result = JsonNode.Parse(await investigate.Content.ReadAsStringAsync())!;
        var again = await ChangeAsync(ana, caseId, result["case"]!["version"]!.GetValue<string>(), "INVESTIGATING", "twice");

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var audited = (await connection.QueryAsync<(string EntityId, string Actor, string Details)>(
            "SELECT entity_id, actor, details::text FROM system_audit_log WHERE action = 'alert.status_changed' AND details->>'case_id' = @id",
            new { id = caseId.ToString() })).ToList();
        var statuses = (await connection.QueryAsync<string>("SELECT DISTINCT status FROM fraud_alerts WHERE case_id = @caseId", new { caseId })).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(noVersion.StatusCode, Is.EqualTo((HttpStatusCode)428));
            Assert.That(byViewer.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "Bob changed an alert of the case");
            Assert.That(investigate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(investigate.Headers.ETag?.Tag, Is.EqualTo($"\"{result["case"]!["version"]}\""));
            Assert.That(
                result["alerts"]!.AsArray().Select(a => (a!["id"]!.GetValue<Guid>(), a["outcome"]!.GetValue<string>())),
                Is.EquivalentTo(alerts.Select(a => (a!["id"]!.GetValue<Guid>(), a["id"]!.GetValue<Guid>() == one["id"]!.GetValue<Guid>() ? "not_allowed" : "changed"))),
                "Bob's alert was already INVESTIGATING");
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "nothing left to move");
            Assert.That(audited.Select(a => a.EntityId), Is.EquivalentTo(alerts.Skip(1).Select(a => a!["id"]!.GetValue<Guid>().ToString())), "one audit row per changed alert");
            Assert.That(audited.Select(a => a.Actor).Distinct(), Is.EqualTo(new[] { "analyst/ana" }));
            Assert.That(audited.Select(a => JsonNode.Parse(a.Details)!["note"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "one user, many alerts" }));
            Assert.That(statuses, Is.EqualTo(new[] { "INVESTIGATING" }));
        }
    }

    [Test]
    public async Task An_analyst_claims_a_case_hands_it_to_another_known_analyst_and_it_shows_in_their_queue()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        using var bob = await _fixture.SignInAsync("bob", "bob-password-0123");
        var user = _alerts.GroupBy(a => a.Result.UserId).Last(g => g.Count() >= 2).Key;
        var read = JsonNode.Parse(await ana.GetStringAsync($"/api/cases?user={user}"))!["items"]!.AsArray().Single()!;
        var caseId = read["id"]!.GetValue<Guid>();

        var claim = await AssignAsync(ana, caseId, read["version"]!.GetValue<string>(), "ana");
        var claimed = JsonNode.Parse(await claim.Content.ReadAsStringAsync())!;
        var toViewer = await AssignAsync(ana, caseId, claimed["version"]!.GetValue<string>(), "vera");
        var toStranger = await AssignAsync(ana, caseId, claimed["version"]!.GetValue<string>(), "zed");
        var stale = await AssignAsync(bob, caseId, read["version"]!.GetValue<string>(), "bob");
        var handed = await AssignAsync(ana, caseId, claimed["version"]!.GetValue<string>(), "bob", "bob knows this merchant");
        var bobsQueue = JsonNode.Parse(await bob.GetStringAsync("/api/cases?assignee=me&limit=200"))!["items"]!.AsArray();
        var anasQueue = JsonNode.Parse(await ana.GetStringAsync("/api/cases?assignee=me&limit=200"))!["items"]!.AsArray();
        var detail = JsonNode.Parse(await bob.GetStringAsync($"/api/cases/{caseId}"))!;

        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Action, string EntityId, string Details)>(
            "SELECT action, entity_id, details::text FROM system_audit_log WHERE action IN ('case.assigned', 'alert.assigned') "
            + "AND (entity_id = @id OR details->>'case_id' = @id) ORDER BY id", new { id = caseId.ToString() })).ToList();
        var alertCount = _alerts.Count(a => a.Result.UserId == user);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(claim.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(claimed["assignee"]!.GetValue<string>(), Is.EqualTo("ana"));
            Assert.That(toViewer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a viewer cannot own a case");
            Assert.That(toStranger.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "nobody of that name");
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "Ana's claim changed its alerts");
            Assert.That(handed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bobsQueue.Select(c => c!["id"]!.GetValue<Guid>()), Does.Contain(caseId));
            Assert.That(bobsQueue.Select(c => c!["assignee"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "bob" }));
            Assert.That(anasQueue.Select(c => c!["id"]!.GetValue<Guid>()), Does.Not.Contain(caseId));
            Assert.That(detail["alerts"]!.AsArray().Select(a => a!["assignee"]?.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "bob" }), "its open alerts follow the case");
            Assert.That(audit.Count(a => a.Action == "case.assigned"), Is.EqualTo(2));
            Assert.That(audit.Count(a => a.Action == "alert.assigned"), Is.EqualTo(2 * alertCount));
            Assert.That(JsonNode.Parse(audit[^1].Details)!["note"]!.GetValue<string>(), Is.EqualTo("bob knows this merchant"));
            Assert.That(JsonNode.Parse(audit[^1].Details)!["from"]!.GetValue<string>(), Is.EqualTo("ana"));
        }
    }

    [Test]
    public async Task An_overdue_case_is_shown_and_the_first_action_on_it_counts_in_the_sla_report_and_the_metric()
    {
        using var bob = await _fixture.SignInAsync("bob", "bob-password-0123");
        // A user with one CRITICAL alert (SLA 60 minutes by default), created two hours ago.
        var alert = _alerts.GroupBy(a => a.Result.UserId).Where(g => g.Count() == 1).Select(g => g.Single())
            .First(a => a.Result.Severity == StreamSentinel.Contracts.Severity.Critical);
        DateTimeOffset createdAt;
        await using (var connection = await _fixture.Databases.Postgres.OpenConnectionAsync())
        {
            createdAt = await connection.ExecuteScalarAsync<DateTime>(
                "UPDATE fraud_alerts SET created_at = now() - interval '2 hours' WHERE transaction_id = @id RETURNING created_at",
                new { id = alert.Result.TransactionId });
        }

        var overdue = JsonNode.Parse(await bob.GetStringAsync("/api/cases?overdue=true&limit=200"))!["items"]!.AsArray();
        var listed = overdue.Single(c => c!["user_id"]!.GetValue<string>() == alert.Result.UserId)!;
        var detail = JsonNode.Parse(await bob.GetStringAsync($"/api/cases/{listed["id"]}"))!["alerts"]!.AsArray().Single()!;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{detail["id"]}/status") { Content = JsonContent.Create(new { status = "INVESTIGATING" }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{detail["version"]}\""));
        var taken = await bob.SendAsync(request);
        var report = JsonNode.Parse(await bob.GetStringAsync("/api/sla"))!["rows"]!.AsArray();
        var bobs = report.Single(r => r!["measure"]!.GetValue<string>() == "first_action" && r["severity"]!.GetValue<string>() == "CRITICAL"
            && r["analyst"]!.GetValue<string>() == "bob")!;
        using var anonymous = new HttpClient { BaseAddress = _fixture.Address };
        var metrics = await anonymous.GetStringAsync("/metrics");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed["overdue"]!.GetValue<bool>(), Is.True);
            Assert.That(listed["due_at"]!.GetValue<DateTimeOffset>(), Is.EqualTo(createdAt.AddHours(1)).Within(TimeSpan.FromMilliseconds(1)), "created + the CRITICAL SLA");
            Assert.That(overdue.Select(c => c!["overdue"]!.GetValue<bool>()), Has.All.True);
            Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bobs["alerts"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
            Assert.That(bobs["max_seconds"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(7200), "two hours from creation to Bob's first action");
            Assert.That(metrics, Does.Match(@"stream_sentinel_console_alert_time_to_first_action_seconds_count\{[^}]*analyst=""bob""[^}]*severity=""CRITICAL""[^}]*\} [1-9]"));
            Assert.That((await bob.GetAsync("/api/cases?overdue=soon")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    [Test]
    public async Task Sorted_by_due_time_the_queue_pages_every_open_case_once_most_urgent_first_and_follows_decisions()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        // A case whose worst open alert is decided: its due time must move to the next severity's, from the alerts.
        var mixed = await connection.QuerySingleAsync<(Guid CaseId, Guid Worst)>(
            """
            SELECT case_id, (array_agg(id ORDER BY severity_rank DESC, created_at))[1]
            FROM fraud_alerts
            GROUP BY case_id
            HAVING count(DISTINCT severity) >= 2 AND bool_and(status = 'PENDING')
            LIMIT 1
            """);
        var worst = JsonNode.Parse(await ana.GetStringAsync($"/api/alerts/{mixed.Worst}"))!["alert"]!;
        var take = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{mixed.Worst}/status") { Content = JsonContent.Create(new { status = "INVESTIGATING" }) };
        take.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{worst["version"]}\""));
        var taken = JsonNode.Parse(await (await ana.SendAsync(take)).Content.ReadAsStringAsync())!;
        var close = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{mixed.Worst}/status") { Content = JsonContent.Create(new { status = "FALSE_POSITIVE" }) };
        close.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{taken["version"]}\""));
        Assert.That((await ana.SendAsync(close)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await ana.GetStringAsync($"/api/cases?sort=due&limit=37{(cursor is null ? "" : "&cursor=" + cursor)}"))!;
            seen.AddRange(page["items"]!.AsArray().Select(c => c!));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        // Expected from the alerts themselves, with the default SLAs: oldest open alert + the worst open severity's time.
        var expected = (await connection.QueryAsync<(Guid CaseId, DateTime DueAt)>(
            """
            SELECT case_id, min(created_at) + (ARRAY[interval '7 days', interval '3 days', interval '24 hours', interval '4 hours', interval '1 hour'])[max(severity_rank)]
            FROM fraud_alerts
            WHERE status IN ('PENDING', 'INVESTIGATING')
            GROUP BY case_id
            ORDER BY 2, 1
            """)).ToList();
        var activityCursor = JsonNode.Parse(await ana.GetStringAsync("/api/cases?limit=1"))!["next_cursor"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                seen.Select(c => (c["id"]!.GetValue<Guid>(), c["due_at"]!.GetValue<DateTimeOffset>().UtcDateTime)),
                Is.EqualTo(expected.Select(e => (e.CaseId, DateTime.SpecifyKind(e.DueAt, DateTimeKind.Utc)))),
                "every open case once, by due time then id");
            Assert.That(seen.Select(c => c["open_alerts"]!.GetValue<int>()), Has.All.GreaterThan(0), "a closed case is due never");
            Assert.That(expected.Any(e => e.CaseId == mixed.CaseId), "the case keeps an open alert");
            Assert.That((await ana.GetAsync($"/api/cases?sort=due&cursor={activityCursor}")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a cursor of the other order");
            Assert.That((await ana.GetAsync("/api/cases?sort=severity")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    [Test]
    public async Task A_bulk_false_positive_of_50_alerts_changes_49_and_reports_the_one_changed_meanwhile()
    {
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        using var bob = await _fixture.SignInAsync("bob", "bob-password-0123");
        // Fifty alerts nobody else in this fixture touches: each the only alert of its user, MEDIUM.
        var chosen = _alerts.GroupBy(a => a.Result.UserId).Where(g => g.Count() == 1).Select(g => g.Single())
            .Where(a => a.Result.Severity == StreamSentinel.Contracts.Severity.Medium).Skip(10).Take(50).ToList();
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        var ids = (await connection.QueryAsync<(Guid Id, long Version)>(
            "SELECT id, xmin::text::bigint FROM fraud_alerts WHERE transaction_id = ANY(@ids)", new { ids = chosen.Select(a => a.Result.TransactionId).ToArray() })).ToList();

        var assigned = await BulkAsync(ana, new { action = "assign", assignee = "ana", note = "taking the batch", items = ids.Select(i => new { id = i.Id, version = i.Version }) });
        var investigated = await BulkAsync(ana, new { action = "status", status = "INVESTIGATING", note = "one merchant's terminal", items = Versions(assigned) });
        // Meanwhile Bob decides one of them on his own.
        var theirs = investigated["items"]!.AsArray()[17]!;
        var single = new HttpRequestMessage(HttpMethod.Post, $"/api/alerts/{theirs["id"]}/status") { Content = JsonContent.Create(new { status = "CONFIRMED_FRAUD" }) };
        single.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{theirs["version"]}\""));
        Assert.That((await bob.SendAsync(single)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var cleared = await BulkAsync(ana, new { action = "status", status = "FALSE_POSITIVE", note = "terminal misconfigured, merchant confirmed", items = Versions(investigated) });
        var noNote = await ana.PostAsJsonAsync("/api/alerts/bulk", new { action = "status", status = "FALSE_POSITIVE", items = Versions(investigated) });
        var toViewer = await ana.PostAsJsonAsync("/api/alerts/bulk", new { action = "assign", assignee = "vera", note = "x", items = Versions(investigated) });

        var audited = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM system_audit_log WHERE action = 'alert.status_changed' AND details->>'to' = 'FALSE_POSITIVE' "
            + "AND details->>'note' = 'terminal misconfigured, merchant confirmed' AND entity_id = ANY(@ids)", new { ids = ids.Select(i => i.Id.ToString()).ToArray() });
        var statuses = (await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM fraud_alerts WHERE id = ANY(@ids) GROUP BY status", new { ids = ids.Select(i => i.Id).ToArray() })).ToDictionary(r => r.Status, r => r.Count);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Has.Count.EqualTo(50));
            Assert.That((assigned["changed"]!.GetValue<int>(), investigated["changed"]!.GetValue<int>()), Is.EqualTo((50, 50)));
            Assert.That((cleared["changed"]!.GetValue<int>(), cleared["failed"]!.GetValue<int>()), Is.EqualTo((49, 1)));
            Assert.That(
                cleared["items"]!.AsArray().Where(i => i!["outcome"]!.GetValue<string>() != "changed").Select(i => (i!["id"]!.GetValue<Guid>(), i["outcome"]!.GetValue<string>(), i["status"]!.GetValue<string>())),
                Is.EqualTo(new[] { (theirs["id"]!.GetValue<Guid>(), "stale", "CONFIRMED_FRAUD") }), "the one Bob changed, with what it is now");
            Assert.That(audited, Is.EqualTo(49), "one audit row per changed alert, with the reason");
            Assert.That(statuses, Is.EqualTo(new Dictionary<string, long> { ["FALSE_POSITIVE"] = 49, ["CONFIRMED_FRAUD"] = 1 }));
            Assert.That(noNote.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(toViewer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    private static IEnumerable<object> Versions(JsonNode result) =>
        result["items"]!.AsArray().Select(i => new { id = i!["id"]!.GetValue<Guid>(), version = i["version"]!.GetValue<uint>() });

    private static async Task<JsonNode> BulkAsync(HttpClient http, object body)
    {
        var response = await http.PostAsJsonAsync("/api/alerts/bulk", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static Task<HttpResponseMessage> AssignAsync(HttpClient http, Guid caseId, string version, string? assignee, string? note = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/assignee") { Content = JsonContent.Create(new { assignee, note }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient http, Guid caseId, string version, string status, string? note)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/status") { Content = JsonContent.Create(new { status, note }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return http.SendAsync(request);
    }
}
