using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using StreamSentinel.Contracts;
using StreamSentinel.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StreamSentinel.BrowserTests;

/// <summary>
/// The console's pages in headless Chromium, against a console started through the entry point as the analyst and
/// read-only BI accounts, over real PostgreSQL and ClickHouse. Each page is saved as a screenshot in
/// artifacts/screenshots/console. Any error in the browser's console (a script error, a refused Content-Security-Policy)
/// fails the test.
/// </summary>
public sealed class ConsoleInBrowserTests : ConsoleBrowserTests
{
    private const string AnalystPassword = "ana-password-0123";
    private const string ViewerPassword = "vera-password-0123";

    private protected override Task<ConsoleFixture> StartConsoleAsync() => ConsoleFixture.StartAsync(
        seed: 71,
        alertShare: 0.3,
        results: 600,
        [("ana", AnalystPassword, "analyst"), ("vera", ViewerPassword, "viewer")],
        snapshots: []);

    [Test]
    public async Task An_analyst_signs_in_filters_the_queue_opens_an_alert_resolves_it_and_finds_the_audit_row()
    {
        var target = Fixture.Results.Where(r => r.IsAlert && r.Result.Severity == Severity.Critical).GroupBy(r => r.Result.UserId).OrderByDescending(g => g.Count()).First();
        var (page, errors) = await NewPageAsync();

        await page.GotoAsync(Address + "/");
        await Expect(page).ToHaveURLAsync(new Regex("/login\\?returnUrl=%2F$"));
        await ShotAsync(page, "01-sign-in");
        await page.GetByLabel("Name").FillAsync("ana");
        await page.GetByLabel("Password").FillAsync(AnalystPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync("ana (analyst)");

        await page.GetByLabel("Severity").SelectOptionAsync("CRITICAL");
        await page.GetByLabel("User").FillAsync(target.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        var rows = page.Locator("#alerts tr");
        await Expect(rows).ToHaveCountAsync(target.Count());
        await Expect(page.Locator("#alerts .badge")).ToHaveTextAsync([.. Enumerable.Repeat("CRITICAL", target.Count())]);
        await Expect(page).ToHaveURLAsync(new Regex($"severity=CRITICAL&user={target.Key}"));
        await ShotAsync(page, "02-queue-filtered");

        await rows.First.Locator("a").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/alerts/[0-9a-f-]{36}$"));
        var id = Guid.Parse(page.Url[^36..]);
        var transactionId = await TransactionOfAsync(id);
        await Expect(page.Locator("#current-status")).ToHaveTextAsync("PENDING");
        await Expect(page.Locator("#recent")).ToContainTextAsync(transactionId);
        await ShotAsync(page, "03-alert");

        await page.GetByLabel("Note").FillAsync("the cardholder confirmed the velocity burst was not them");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await Expect(page.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark CONFIRMED_FRAUD" }).ClickAsync();
        await Expect(page.Locator("#current-status")).ToHaveTextAsync("CONFIRMED_FRAUD");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark RESOLVED" }).ClickAsync();
        await Expect(page.Locator("#current-status")).ToHaveTextAsync("RESOLVED");
        await Expect(page.Locator("#steps")).ToHaveTextAsync("RESOLVED is final.");
        var history = page.Locator("#history tr");
        await Expect(history).ToHaveCountAsync(4);
        await Expect(history.Nth(1)).ToContainTextAsync("PENDING → INVESTIGATING");
        await Expect(history.Nth(1)).ToContainTextAsync("the cardholder confirmed");
        await Expect(history.Nth(3)).ToContainTextAsync("CONFIRMED_FRAUD → RESOLVED");
        await ShotAsync(page, "04-alert-resolved");

        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var audit = (await connection.QueryAsync<(string Actor, string To)>(
            "SELECT actor, details->>'to' FROM system_audit_log WHERE entity_type = 'fraud_alert' AND entity_id = @id AND action = 'alert.status_changed' ORDER BY id",
            new { id = id.ToString() })).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(audit, Is.EqualTo(new[] { ("analyst/ana", "INVESTIGATING"), ("analyst/ana", "CONFIRMED_FRAUD"), ("analyst/ana", "RESOLVED") }));
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT status FROM fraud_alerts WHERE id = @id", new { id }), Is.EqualTo("RESOLVED"));
            Assert.That(errors, Is.Empty, "errors in the browser's console");
        }
    }

    [Test]
    public async Task Two_analysts_on_one_alert_the_second_is_told_what_the_first_did_instead_of_overwriting_it()
    {
        var transactionId = Fixture.Results.Where(r => r.IsAlert).Skip(5).First().Result.TransactionId;
        var url = $"{Address}/alerts/{await AlertOfAsync(transactionId)}";
        var (first, firstErrors) = await SignedInPageAsync("ana", AnalystPassword);
        var (second, secondErrors) = await SignedInPageAsync("ana", AnalystPassword);
        await first.GotoAsync(url);
        await second.GotoAsync(url);
        await Expect(second.Locator("#current-status")).ToHaveTextAsync("PENDING");

        // The assignee must be an analyst of the console; this one has only ana (the second page is ana's too).
        await first.GetByLabel("Assignee").FillAsync("ana");
        await first.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();
        await Expect(first.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");
        await second.GetByRole(AriaRole.Button, new() { Name = "Mark INVESTIGATING" }).ClickAsync();

        await Expect(second.Locator("#decide-message")).ToContainTextAsync("Someone changed this alert since you read it");
        await Expect(second.Locator("#decide-message")).ToContainTextAsync("it is now INVESTIGATING, assigned to ana. Your change was not made");
        await Expect(second.Locator("#current-status")).ToHaveTextAsync("INVESTIGATING");
        await ShotAsync(second, "05-alert-changed-meanwhile");
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        var changes = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM system_audit_log WHERE entity_id = @id AND action = 'alert.status_changed'", new { id = (await AlertOfAsync(transactionId)).ToString() });
        Assert.That(changes, Is.EqualTo(1), "the second click changed nothing");
        // The refused change is the answer the page expects (412), not an error of the page.
        Assert.That(firstErrors.Concat(secondErrors).Where(e => !e.Contains("412", StringComparison.Ordinal)), Is.Empty, "errors in the browser's console");
    }

    [TestCase("%2F%5Cevil.example%2F")]
    [TestCase("%2F%2Fevil.example%2F")]
    [TestCase("https%3A%2F%2Fevil.example%2F")]
    public async Task Signing_in_returns_only_to_a_page_of_this_console(string returnUrl)
    {
        var (page, errors) = await NewPageAsync();
        await page.GotoAsync($"{Address}/login?returnUrl={returnUrl}");
        await page.GetByLabel("Name").FillAsync("vera");
        await page.GetByLabel("Password").FillAsync(ViewerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator("#who")).ToHaveTextAsync("vera (viewer)", new() { Timeout = SignInWait.Timeout });
        Assert.That(new Uri(page.Url).Authority, Is.EqualTo(new Uri(Address).Authority));
        Assert.That(errors, Is.Empty, "errors in the browser's console");
    }

    [Test]
    public async Task A_viewer_reads_an_alert_and_is_offered_no_change()
    {
        var (page, errors) = await SignedInPageAsync("vera", ViewerPassword);
        var transactionId = Fixture.Results.First(r => r.IsAlert).Result.TransactionId;
        await page.GotoAsync($"{Address}/alerts/{await AlertOfAsync(transactionId)}");

        await Expect(page.Locator("#title")).ToContainTextAsync(transactionId);
        await Expect(page.Locator("#steps")).ToHaveTextAsync("Viewers read alerts; analysts change them.");
        await Expect(page.Locator("#steps button")).ToHaveCountAsync(0);

        // The queue's time filter, in the browser's time zone: nothing was created before 2001.
        await page.GotoAsync(Address + "/");
        await page.GetByLabel("Created before").FillAsync("2001-01-01T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.Locator("#alerts")).ToHaveTextAsync("No alert matches these filters.");
        await Expect(page).ToHaveURLAsync(new Regex("to=200[01]-"));
        Assert.That(errors, Is.Empty, "errors in the browser's console");
    }

    [Test]
    public async Task The_bi_page_charts_a_query_and_the_fleet_page_shows_the_workers()
    {
        var (page, errors) = await SignedInPageAsync("ana", AnalystPassword);
        var rules = Fixture.Results.SelectMany(r => r.Result.BusinessRulesTriggered).Distinct().Count();

        await page.GotoAsync(Address + "/bi?name=rules_firing");
        await Expect(page.Locator("#result-body tr")).ToHaveCountAsync(rules);
        var bars = await page.EvaluateAsync<int>("() => Chart.getChart(document.getElementById('chart')).data.datasets[0].data.length");
        Assert.That(bars, Is.EqualTo(rules), "one bar per rule, as the table");
        await ShotAsync(page, "06-bi-rules-firing");
        await page.Locator("#query").SelectOptionAsync("score_distribution");
        await Expect(page.Locator("#description")).ToContainTextAsync("Score distribution");
        await Expect(page.Locator("#result-head")).ToContainTextAsync("score_from");
        await ShotAsync(page, "07-bi-score-distribution");

        // Two minutes of a detection worker's snapshots ending now: the page shows a worker "reporting" only within a minute.
        var now = DateTimeOffset.UtcNow;
        await Fixture.StoreSnapshotsAsync(
            [.. Enumerable.Range(0, 12).Select(i => ConsoleFixture.Snapshot(WorkerKinds.Detection, "test-detection", now.AddSeconds(-125 + (i * 10)), 900 + (i * 40), lag: 1400 - (900 + (i * 40))))]);
        await page.GotoAsync(Address + "/sre");
        await Expect(page.Locator("tr[data-worker='the-console'] td").Nth(1)).ToHaveTextAsync("ready");
        await Expect(page.Locator("tr[data-worker='gone'] td").Nth(1)).ToHaveTextAsync("not ready");
        await Expect(page.Locator("#reporting")).ToContainTextAsync("test-detection");
        var stages = await page.EvaluateAsync<string[]>("() => Chart.getChart(document.getElementById('throughput')).data.datasets.map(d => d.label)");
        Assert.That(stages, Does.Contain(WorkerKinds.Detection));
        await ShotAsync(page, "08-fleet");
        Assert.That(errors, Is.Empty, "errors in the browser's console");
    }

    [Test]
    public async Task The_queue_shows_alerts_stored_after_it_opened_without_a_reload()
    {
        var (page, errors) = await SignedInPageAsync("vera", ViewerPassword);
        await page.GotoAsync(Address + "/");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(page.Locator("#alerts tr")).ToHaveCountAsync(25);
        // Survives only as long as this document does: a reload would drop it.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        // Stored as the persistence fleet stores a batch, after the page opened.
        var stored = (await Fixture.StoreAlertsAsync(seed: 719, count: 3)).Where(r => r.IsAlert).ToList();
        var ids = new List<Guid>();
        foreach (var result in stored)
        {
            ids.Add(await AlertOfAsync(result.Result.TransactionId));
        }

        foreach (var id in ids)
        {
            await Expect(page.Locator($"#alerts tr[data-alert='{id}']")).ToHaveClassAsync("fresh");
        }

        await ShotAsync(page, "09-live-queue");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Has.Count.GreaterThan(0).And.None.EqualTo(Guid.Empty));
            Assert.That(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), Is.True, "the page was not reloaded");
            Assert.That(errors, Is.Empty, "errors in the browser's console");
        }
    }

    private async Task<string> TransactionOfAsync(Guid id)
    {
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT transaction_id FROM fraud_alerts WHERE id = @id", new { id }) ?? "";
    }
}
