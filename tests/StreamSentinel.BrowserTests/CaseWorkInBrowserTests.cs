using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Simulation.Synthetic;
using static Microsoft.Playwright.Assertions;

namespace StreamSentinel.BrowserTests;

/// <summary>
/// Case work in the browser (issue 19): two analysts and four-eyes, claiming and reassigning a case, an overdue case,
/// and a bulk action on a selection of which one alert changed meanwhile. A console with four-eyes on; each test
/// checks what the page says and what PostgreSQL holds afterwards (rows and audit). Each test works on alerts of its
/// own, chosen from the fixture's results, so that the order they run in does not matter.
/// </summary>
public sealed class CaseWorkInBrowserTests : ConsoleBrowserTests
{
    private const string AnaPassword = "ana-password-0123";
    private const string BobPassword = "bob-password-0123";
    private const string VeraPassword = "vera-password-0123";

    // The bulk test stores alerts of its own; other tests stay off their users, whose cases those alerts join.
    private const int BulkSeed = 1950;
    private const int BulkCount = 70;
    private static readonly HashSet<string> BulkUsers = [.. Generate(BulkSeed, BulkCount).Select(r => r.UserId)];

    private protected override Task<ConsoleFixture> StartConsoleAsync() => ConsoleFixture.StartAsync(
        seed: 19,
        alertShare: 0.5,
        results: 1500,
        [("ana", AnaPassword, "analyst"), ("bob", BobPassword, "analyst"), ("vera", VeraPassword, "viewer")],
        snapshots: [],
        new Dictionary<string, string> { ["Console__FourEyes__Enabled"] = "true" });

    [Test]
    public async Task A_verdict_one_analyst_proposes_takes_effect_only_when_a_second_approves_it_on_the_approvals_page()
    {
        var id = await AlertOfAsync(SingleAlerts(Severity.High)[0].Result.TransactionId);
        var (ana, anaErrors) = await SignedInPageAsync("ana", AnaPassword);
        await ana.GotoAsync($"{Address}/alerts/{id}");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await Expect(ana.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");
        await ana.GetByLabel("Note").FillAsync("card used in two countries within minutes");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark CONFIRMED_FRAUD" }).ClickAsync();

        await Expect(ana.Locator("#decide-message")).ToContainTextAsync("CONFIRMED_FRAUD proposed: waiting for a second analyst's approval");
        await Expect(ana.Locator("#pending")).ToHaveTextAsync("CONFIRMED_FRAUD proposed by ana: waiting for a second analyst's approval (approvals).");
        await Expect(ana.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");
        await ShotAsync(ana, "10-alert-verdict-proposed");

        await ana.GotoAsync(Address + "/approvals");
        var own = ana.Locator($"#approvals tr[data-alert='{id}']");
        await Expect(own).ToContainTextAsync("ana (you)");
        await own.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(ana.Locator("#decide-message")).ToHaveTextAsync("You proposed this verdict, so you cannot approve it: a second analyst must decide it.");
        await Expect(own).ToHaveCountAsync(1);
        await ShotAsync(ana, "11-approvals-own-refused");

        var (bob, bobErrors) = await SignedInPageAsync("bob", BobPassword);
        await bob.GotoAsync(Address + "/approvals");
        var theirs = bob.Locator($"#approvals tr[data-alert='{id}']");
        await Expect(theirs).ToContainTextAsync("card used in two countries within minutes");
        await theirs.GetByLabel("Your note").FillAsync("device history agrees");
        await ShotAsync(bob, "12-approvals");
        await theirs.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(bob.Locator("#decide-message")).ToHaveTextAsync($"Approved: alert {id} is now CONFIRMED_FRAUD.");
        await Expect(theirs).ToHaveCountAsync(0);
        await bob.GotoAsync($"{Address}/alerts/{id}");
        await Expect(bob.Locator("#current-status")).ToHaveTextAsync("CONFIRMED_FRAUD");
        await Expect(bob.Locator("#pending")).ToBeEmptyAsync();

        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Actor, string Action, string Details)>(
            "SELECT actor, action, details::text FROM system_audit_log WHERE entity_type = 'fraud_alert' AND entity_id = @id AND action <> 'alert.created' ORDER BY id",
            new { id = id.ToString() })).ToList();
        var approval = await connection.QuerySingleAsync<(string ProposedBy, string Decision, string DecidedBy)>(
            "SELECT proposed_by, decision, decided_by FROM verdict_approvals WHERE alert_id = @id", new { id });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT status FROM fraud_alerts WHERE id = @id", new { id }), Is.EqualTo("CONFIRMED_FRAUD"));
            Assert.That(approval, Is.EqualTo(("ana", "APPROVED", "bob")));
            Assert.That(audit.Select(a => (a.Actor, a.Action)), Is.EqualTo(new[]
            {
                ("analyst/ana", "alert.status_changed"), ("analyst/ana", "alert.verdict_proposed"),
                ("analyst/bob", "alert.verdict_approved"), ("analyst/ana", "alert.status_changed"),
            }), "the refused self-approval left no trace");
            Assert.That(Detail(audit[^1].Details, "approved_by"), Is.EqualTo("bob"));
            // The refused approval is the answer the page expects (403), not an error of the page.
            Assert.That(anaErrors.Concat(bobErrors).Where(e => !e.Contains("403", StringComparison.Ordinal)), Is.Empty, "errors in the browser's console");
        }
    }

    [Test]
    public async Task An_analyst_claims_a_case_finds_it_in_my_queue_and_a_second_analyst_takes_it_over()
    {
        var user = Fixture.Results.Where(r => r.IsAlert && !BulkUsers.Contains(r.Result.UserId)).GroupBy(r => r.Result.UserId).First(g => g.Count() >= 3).Key;
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<Guid>("SELECT case_id FROM fraud_alerts WHERE user_id = @user LIMIT 1", new { user });
        var (ana, anaErrors) = await SignedInPageAsync("ana", AnaPassword);

        // One alert of the case is already under investigation: the case's step must report it, not skip it silently.
        var taken = await connection.ExecuteScalarAsync<Guid>(
            "SELECT id FROM fraud_alerts WHERE case_id = @caseId ORDER BY created_at, id LIMIT 1", new { caseId });
        await ana.GotoAsync($"{Address}/alerts/{taken}");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await Expect(ana.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");

        await ana.GotoAsync($"{Address}/cases?user={user}");
        await ana.Locator($"#cases tr[data-case='{caseId}'] a").ClickAsync();
        await Expect(ana).ToHaveURLAsync($"{Address}/cases/{caseId}");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await Expect(ana.Locator("#act-message")).ToHaveTextAsync("Assigned to ana.");
        await Expect(ana.Locator("#assignee")).ToHaveTextAsync("ana");

        await ana.GotoAsync(Address + "/cases");
        await ana.GetByLabel("My queue").CheckAsync();
        await ana.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(ana).ToHaveURLAsync(new Regex("/cases\\?assignee=me$"));
        await Expect(ana.Locator("#cases tr")).ToHaveCountAsync(1);
        await Expect(ana.Locator($"#cases tr[data-case='{caseId}'] td.assignee")).ToHaveTextAsync("ana");
        await ShotAsync(ana, "13-case-queue-my-queue");

        await ana.GotoAsync($"{Address}/cases/{caseId}");
        var alerts = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM fraud_alerts WHERE case_id = @caseId", new { caseId });
        await Expect(ana.Locator("#alerts tr")).ToHaveCountAsync(alerts);
        await ana.GetByLabel("Note").FillAsync("same device for every payment");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await Expect(ana.Locator("#act-message")).ToContainTextAsync($"{alerts - 1} of {alerts} alerts now INVESTIGATING.");
        await Expect(ana.Locator($"#act-message li[data-alert='{taken}']")).ToHaveTextAsync($"{taken} not_allowed (now INVESTIGATING)");
        await Expect(ana.Locator("#alerts td.status")).ToHaveTextAsync([.. Enumerable.Repeat("INVESTIGATING", alerts)]);
        await ShotAsync(ana, "14-case-step");

        // Bob takes the case over while Ana's page still shows it as hers.
        var (bob, bobErrors) = await SignedInPageAsync("bob", BobPassword);
        await bob.GotoAsync($"{Address}/cases/{caseId}");
        await bob.GetByLabel("Analyst").FillAsync("bob");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(bob.Locator("#act-message")).ToHaveTextAsync("Assigned to bob.");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await Expect(ana.Locator("#act-message")).ToContainTextAsync("This case changed meanwhile");
        await Expect(ana.Locator("#act-message")).ToContainTextAsync($"it is now {alerts} open of {alerts} alerts, assigned to bob. Your change was not made");
        await Expect(ana.Locator("#assignee")).ToHaveTextAsync("bob");
        await ShotAsync(ana, "15-case-changed-meanwhile");
        await ana.GotoAsync(Address + "/cases?assignee=me");
        await Expect(ana.Locator("#cases")).ToHaveTextAsync("No case matches these filters.");

        var assignments = (await connection.QueryAsync<(string Actor, string To)>(
            "SELECT actor, details->>'to' FROM system_audit_log WHERE entity_type = 'fraud_case' AND entity_id = @id AND action = 'case.assigned' ORDER BY id",
            new { id = caseId.ToString() })).ToList();
        var owners = (await connection.QueryAsync<string>("SELECT DISTINCT assignee FROM fraud_alerts WHERE case_id = @caseId", new { caseId })).ToList();
        var steps = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM system_audit_log WHERE action = 'alert.status_changed' AND details->>'note' = 'same device for every payment' AND details->>'case_id' = @id",
            new { id = caseId.ToString() });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT assignee FROM fraud_cases WHERE id = @caseId", new { caseId }), Is.EqualTo("bob"));
            Assert.That(owners, Is.EqualTo(new[] { "bob" }), "every open alert follows the case");
            Assert.That(assignments, Is.EqualTo(new[] { ("analyst/ana", "ana"), ("analyst/bob", "bob") }), "the refused release changed nothing");
            Assert.That(steps, Is.EqualTo(alerts - 1), "one audit row per alert the case's step moved");
            Assert.That(anaErrors.Concat(bobErrors).Where(e => !e.Contains("412", StringComparison.Ordinal)), Is.Empty, "errors in the browser's console");
        }
    }

    [Test]
    public async Task A_case_past_its_due_time_is_marked_overdue_in_the_queue_and_on_its_page()
    {
        // A user with one CRITICAL alert (due an hour after it was created, by default), created two hours ago.
        var late = SingleAlerts(Severity.Critical)[0].Result.UserId;
        var onTime = SingleAlerts(Severity.Critical)[1].Result.UserId;
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<Guid>(
            "UPDATE fraud_alerts SET created_at = now() - interval '2 hours' WHERE user_id = @late RETURNING case_id", new { late });
        var (page, errors) = await SignedInPageAsync("vera", VeraPassword);

        await page.GotoAsync(Address + "/cases");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 1, 25 cases");
        await ShotAsync(page, "16-case-queue");
        await page.GetByLabel("Overdue only").CheckAsync();
        await page.GetByLabel("Sort").SelectOptionAsync("due");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cases\\?sort=due&overdue=true$"));
        await Expect(page.Locator("#cases tr")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#cases tr[data-case='{caseId}'] td.due .overdue")).ToHaveTextAsync("overdue");
        await ShotAsync(page, "17-case-queue-overdue");

        await page.GotoAsync($"{Address}/cases?user={onTime}");
        await Expect(page.Locator("#cases tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#cases .overdue")).ToHaveCountAsync(0);
        await page.GotoAsync($"{Address}/cases/{caseId}");
        await Expect(page.Locator("#due .overdue")).ToHaveTextAsync("overdue");
        await Expect(page.Locator("#title")).ToContainTextAsync("overdue");
        await page.GotoAsync(Address + "/cases?sort=due");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 1, 25 cases");
        await ShotAsync(page, "18-case-queue-due-first");

        var (openSince, critical) = await connection.QuerySingleAsync<(DateTime OpenSince, bool Critical)>(
            "SELECT open_since, open_rank = 5 FROM fraud_cases WHERE id = @caseId", new { caseId });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(critical, Is.True);
            Assert.That(openSince, Is.LessThan(DateTime.UtcNow.AddHours(-1)), "past its due time in the database too");
            Assert.That(errors, Is.Empty, "errors in the browser's console");
        }
    }

    [Test]
    public async Task A_bulk_false_positive_of_50_alerts_selected_in_the_page_reports_the_one_changed_meanwhile()
    {
        // Fifty alerts stored for this test, none CRITICAL (their false positive would need a second analyst),
        // taken into investigation, so that the queue's status and time filters show exactly them.
        var stored = await Fixture.StoreAlertsAsync(BulkSeed, BulkCount);
        var chosen = stored.Where(r => r.IsAlert && r.Result.Severity != Severity.Critical).Take(50).Select(r => r.Result.TransactionId).ToArray();
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var (ana, anaErrors) = await SignedInPageAsync("ana", AnaPassword);
        var investigated = await ana.APIRequest.PostAsync(Address + "/api/alerts/bulk", new()
        {
            DataObject = new { action = "status", status = "INVESTIGATING", note = "one merchant's terminal", items = (await VersionsAsync(connection, chosen)).Select(i => new { id = i.Id, version = i.Version }) },
        });
        Assert.That(investigated.Status, Is.EqualTo(200), await investigated.TextAsync());
        var ids = (await VersionsAsync(connection, chosen)).Select(i => i.Id).ToArray();
        var since = await connection.ExecuteScalarAsync<DateTime>("SELECT date_trunc('second', min(created_at)) FROM fraud_alerts WHERE id = ANY(@ids)", new { ids });

        await ana.GotoAsync($"{Address}/?status=INVESTIGATING&from={since:yyyy-MM-ddTHH:mm:ss}Z");
        await Expect(ana.Locator("#alerts tr")).ToHaveCountAsync(25);
        await ana.GetByLabel("Select page").CheckAsync();
        await ana.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(ana.Locator("#page-info")).ToHaveTextAsync("page 2, 25 alerts (last page)");
        await ana.GetByLabel("Select page").CheckAsync();
        await Expect(ana.Locator("#selected-count")).ToHaveTextAsync("50 selected");

        // Meanwhile Bob decides one of them on his own.
        var (bob, _) = await SignedInPageAsync("bob", BobPassword);
        var theirs = (await VersionsAsync(connection, chosen))[17];
        var single = await bob.APIRequest.PostAsync($"{Address}/api/alerts/{theirs.Id}/status", new()
        {
            DataObject = new { status = "FALSE_POSITIVE", note = "known customer" },
            Headers = new Dictionary<string, string> { ["If-Match"] = $"\"{theirs.Version}\"" },
        });
        Assert.That(single.Status, Is.EqualTo(200), await single.TextAsync());

        await ana.GetByLabel("Note (required").FillAsync("terminal misconfigured, merchant confirmed");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark false positive" }).ClickAsync();
        await Expect(ana.Locator("#bulk-message")).ToContainTextAsync("49 changed, 1 not changed.");
        await Expect(ana.Locator("#bulk-message li")).ToHaveCountAsync(1);
        await Expect(ana.Locator($"#bulk-message li[data-alert='{theirs.Id}']")).ToHaveTextAsync($"{theirs.Id} stale (now FALSE_POSITIVE)");
        await Expect(ana.Locator("#selected-count")).ToHaveTextAsync("none");
        await ana.GetByLabel("Status").SelectOptionAsync("FALSE_POSITIVE");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(ana.Locator("#alerts td.status")).ToHaveTextAsync([.. Enumerable.Repeat("FALSE_POSITIVE", 25)]);
        await Expect(ana.Locator("#bulk-message")).ToContainTextAsync("49 changed, 1 not changed.");
        await ShotAsync(ana, "19-bulk-result");

        var statuses = (await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM fraud_alerts WHERE id = ANY(@ids) GROUP BY status", new { ids })).ToDictionary(r => r.Status, r => r.Count);
        var audit = (await connection.QueryAsync<(string Actor, string Note, long Count)>(
            "SELECT actor, details->>'note', count(*) FROM system_audit_log WHERE action = 'alert.status_changed' AND details->>'to' = 'FALSE_POSITIVE' "
            + "AND entity_id = ANY(@ids) GROUP BY 1, 2", new { ids = ids.Select(i => i.ToString()).ToArray() })).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Has.Length.EqualTo(50));
            Assert.That(statuses, Is.EqualTo(new Dictionary<string, long> { ["FALSE_POSITIVE"] = 50 }));
            Assert.That(audit, Is.EquivalentTo(new[]
            {
                ("analyst/ana", "terminal misconfigured, merchant confirmed", 49L), ("analyst/bob", "known customer", 1L),
            }), "one audit row per alert, with the reason of whoever changed it");
            Assert.That(anaErrors, Is.Empty, "errors in the browser's console");
        }
    }

    [Test]
    public async Task A_viewer_reads_cases_approvals_and_the_queue_and_is_offered_no_action()
    {
        var id = await AlertOfAsync(SingleAlerts(Severity.High)[1].Result.TransactionId);
        var (ana, _) = await SignedInPageAsync("ana", AnaPassword);
        await ana.GotoAsync($"{Address}/alerts/{id}");
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await ana.GetByRole(AriaRole.Button, new() { Name = "Mark CONFIRMED_FRAUD" }).ClickAsync();
        await Expect(ana.Locator("#pending")).ToContainTextAsync("waiting for a second analyst's approval");
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<Guid>("SELECT case_id FROM fraud_alerts WHERE id = @id", new { id });

        var (page, errors) = await SignedInPageAsync("vera", VeraPassword);
        await page.GotoAsync($"{Address}/cases/{caseId}");
        await Expect(page.Locator("#alerts tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#read-only")).ToHaveTextAsync("Viewers read cases; analysts change them.");
        await Expect(page.Locator("#act")).ToBeHiddenAsync();
        await page.GotoAsync(Address + "/approvals");
        await Expect(page.Locator($"#approvals tr[data-alert='{id}']")).ToContainTextAsync("analysts decide");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await page.GotoAsync(Address + "/");
        await Expect(page.Locator("#alerts tr")).ToHaveCountAsync(25);
        await Expect(page.Locator("#alerts input[type=checkbox]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#bulk")).ToBeHiddenAsync();
        Assert.That(errors, Is.Empty, "errors in the browser's console");
    }

    /// <summary>The fixture's alerts of one severity that are their user's only alert (each its own case), in a stable order.</summary>
    private List<PersistableResult> SingleAlerts(Severity severity) =>
        [.. Fixture.Results.Where(r => r.IsAlert && !BulkUsers.Contains(r.Result.UserId)).GroupBy(r => r.Result.UserId).Where(g => g.Count() == 1).Select(g => g.Single())
            .Where(r => r.Result.Severity == severity)];

    private static async Task<List<(Guid Id, long Version)>> VersionsAsync(Npgsql.NpgsqlConnection connection, string[] transactionIds) =>
        [.. (await connection.QueryAsync<(Guid Id, long Version)>(
            "SELECT id, xmin::text::bigint FROM fraud_alerts WHERE transaction_id = ANY(@transactionIds) ORDER BY transaction_id", new { transactionIds }))];

    private static List<DetectionResult> Generate(int seed, int count)
    {
        var generator = new SyntheticResults(seed, alertShare: 1.0, DateTimeOffset.UtcNow);
        return Enumerable.Range(0, count).Select(_ => generator.Next()).ToList();
    }

    private static string? Detail(string details, string name) => JsonDocument.Parse(details).RootElement.GetProperty(name).GetString();
}
