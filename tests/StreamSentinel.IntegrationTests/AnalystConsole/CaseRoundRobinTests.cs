using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.AnalystConsole;

/// <summary>
/// Round-robin assignment of new cases (issue 19, Console:AutoAssign) by consoles started through the entry point,
/// over cases the fleet's writer stored: the rotation among the available analysts, the audit, a released case, and
/// two consoles rotating at once. What is checked is read from PostgreSQL, not from the consoles' answers.
/// </summary>
public sealed class CaseRoundRobinTests
{
    private static readonly string[] Available = ["ana", "bob"];

    private ConsoleFixture _fixture = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _fixture = await ConsoleFixture.StartAsync(
            seed: 83,
            alertShare: 0.3,
            results: 900,
            [("ana", "ana-password-0123", "analyst"), ("bob", "bob-password-0123", "analyst"), ("carl", "carl-password-0123", "analyst"), ("vera", "vera-password-0123", "viewer")],
            [],
            new Dictionary<string, string>
            {
                ["Console__AutoAssign__Enabled"] = "true",
                ["Console__AutoAssign__Analysts__0"] = Available[0],
                ["Console__AutoAssign__Analysts__1"] = Available[1],
                // Several rounds for the fixture's cases: the turn must carry from one round to the next.
                ["Console__AutoAssign__BatchSize"] = "7",
            });

    [OneTimeTearDown]
    public async Task StopAsync() => await _fixture.DisposeAsync();

    [Test]
    [Order(1)]
    public async Task New_cases_go_to_the_available_analysts_in_turn_with_their_open_alerts_each_audited()
    {
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        await RoutedAsync(connection);
        var transactions = _fixture.Results.Where(r => r.IsAlert).Select(r => r.Result.TransactionId).ToArray();
        // The fixture's cases, in the order the rotation takes them.
        var cases = (await connection.QueryAsync<(Guid Id, string? Assignee)>(
            """
            SELECT c.id, c.assignee FROM fraud_cases c
            WHERE c.id IN (SELECT case_id FROM fraud_alerts WHERE transaction_id = ANY(@transactions))
            ORDER BY c.created_at, c.id
            """, new { transactions })).ToList();
        var alertsOfOthers = await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM fraud_alerts a JOIN fraud_cases c ON c.id = a.case_id
            WHERE a.transaction_id = ANY(@transactions) AND a.assignee IS DISTINCT FROM c.assignee
            """, new { transactions });
        var audits = (await connection.QueryAsync<(string Action, string EntityId, string To)>(
            "SELECT action, entity_id, details->>'to' FROM system_audit_log WHERE actor = 'console/round-robin'")).ToList();
        var alertIds = (await connection.QueryAsync<Guid>("SELECT id FROM fraud_alerts WHERE transaction_id = ANY(@transactions)", new { transactions })).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases, Has.Count.GreaterThan(20), "enough cases for several rounds of 7");
            Assert.That(
                cases.Select(c => c.Assignee),
                Is.EqualTo(cases.Select((_, i) => Available[(i + Available.IndexOf(cases[0].Assignee!)) % 2])),
                "strictly in turn, across rounds; never carl, who is not available");
            Assert.That(alertsOfOthers, Is.Zero, "each open alert of a case goes with it");
            Assert.That(
                audits.Where(a => a.Action == "case.assigned").Select(a => (a.EntityId, a.To)),
                Is.SupersetOf(cases.Select(c => (c.Id.ToString(), c.Assignee))));
            Assert.That(
                audits.Where(a => a.Action == "alert.assigned").Select(a => a.EntityId),
                Is.SupersetOf(alertIds.Select(a => a.ToString())), "one audit row per alert");
        }
    }

    [Test]
    [Order(2)]
    public async Task A_released_case_is_not_handed_out_again_and_new_cases_continue_the_rotation()
    {
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        await RoutedAsync(connection);
        using var ana = await _fixture.SignInAsync("ana", "ana-password-0123");
        var mine = JsonNode.Parse(await ana.GetStringAsync("/api/cases?assignee=me&limit=1"))!["items"]!.AsArray().Single()!;
        var release = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{mine["id"]}/assignee") { Content = JsonContent.Create(new { assignee = (string?)null, note = "not mine" }) };
        release.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{mine["version"]}\""));
        Assert.That((await ana.SendAsync(release)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var last = await connection.ExecuteScalarAsync<string>("SELECT last_analyst FROM case_round_robin");
        var since = await connection.ExecuteScalarAsync<DateTime>("SELECT now()");

        var stored = await _fixture.StoreAlertsAsync(seed: 84, count: 30);
        await RoutedAsync(connection);
        var fresh = (await connection.QueryAsync<string?>(
            """
            SELECT c.assignee FROM fraud_cases c
            WHERE c.id IN (SELECT case_id FROM fraud_alerts WHERE transaction_id = ANY(@transactions)) AND c.created_at >= @since
            ORDER BY c.created_at, c.id
            """, new { transactions = stored.Select(r => r.Result.TransactionId).ToArray(), since })).ToList();
        var released = await connection.ExecuteScalarAsync<string?>("SELECT assignee FROM fraud_cases WHERE id = @id", new { id = mine["id"]!.GetValue<Guid>() });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(released, Is.Null, "a case an analyst released stays in the queue for anyone");
            Assert.That(fresh, Is.Not.Empty);
            Assert.That(
                fresh,
                Is.EqualTo(fresh.Select((_, i) => Available[(i + 1 + Available.IndexOf(last!)) % 2])),
                $"the next case after {last}'s goes to the other, and so on");
        }
    }

    [Test]
    [Order(3)]
    public async Task Two_consoles_rotating_at_once_give_each_new_case_to_one_analyst_once()
    {
        var environment = new Dictionary<string, string>(_fixture.Environment);
        var port = ConsoleFixture.FreePort();
        using var second = ChildProcess.Start("console-2", environment, "run", "console", "--http-port", $"{port}");
        await second.WaitForOutputAsync("Health, readiness and metrics on", TimeSpan.FromMinutes(3));
        await using var connection = await _fixture.Databases.Postgres.OpenConnectionAsync();
        await RoutedAsync(connection);
        var since = await connection.ExecuteScalarAsync<DateTime>("SELECT now()");

        // Batches back to back: both consoles hear each one and race for the turn.
        var stored = new List<string>();
        for (var batch = 0; batch < 6; batch++)
        {
            stored.AddRange((await _fixture.StoreAlertsAsync(seed: 90 + batch, count: 25)).Select(r => r.Result.TransactionId));
        }

        await RoutedAsync(connection);
        var cases = (await connection.QueryAsync<(Guid Id, string? Assignee)>(
            "SELECT id, assignee FROM fraud_cases WHERE id IN (SELECT case_id FROM fraud_alerts WHERE transaction_id = ANY(@stored)) AND created_at >= @since",
            new { stored = stored.ToArray(), since })).ToList();
        var twice = await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM (
                SELECT entity_id FROM system_audit_log WHERE actor = 'console/round-robin' AND action = 'case.assigned'
                GROUP BY entity_id HAVING count(*) > 1) AS d
            """);
        var perAnalyst = cases.GroupBy(c => c.Assignee ?? "nobody").ToDictionary(g => g.Key, g => g.Count());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases, Has.Count.GreaterThan(10));
            Assert.That(twice, Is.Zero, "no case assigned twice");
            Assert.That(perAnalyst.Keys, Is.SubsetOf(Available), "every new case owned, by an available analyst");
            Assert.That(Math.Abs(perAnalyst.GetValueOrDefault("ana") - perAnalyst.GetValueOrDefault("bob")), Is.LessThanOrEqualTo(1), "one rotation, shared");
            Assert.That(second.HasExited, Is.False, second.Output);
        }
    }

    /// <summary>Waits until the rotation has seen every case stored so far.</summary>
    private static async Task RoutedAsync(Npgsql.NpgsqlConnection connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long unseen;
        while ((unseen = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM fraud_cases WHERE routed_at IS NULL")) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(unseen, Is.Zero, "the round-robin saw every new case within a minute");
    }
}
