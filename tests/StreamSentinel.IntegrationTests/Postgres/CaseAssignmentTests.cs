using Dapper;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Kafka;
using StreamSentinel.Migrations;
using StreamSentinel.PostgreSql.Persistence;
using StreamSentinel.Simulation.Synthetic;

namespace StreamSentinel.IntegrationTests.Postgres;

/// <summary>
/// Cases (sql/postgres/0011_fraud_cases.sql) as the persistence fleet's writer makes them: a user's alerts within the
/// window form one case, a gap starts another, a closed case takes no more alerts, a replay changes nothing, and the
/// backfill gives the same grouping as the writer's path.
/// </summary>
public sealed class CaseAssignmentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private ScratchDatabases _databases = null!;
    private long _offset;

    [SetUp]
    public async Task CreateAsync() => _databases = await IsolatedDatabases.CreateMigratedAsync();

    [TearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [Test]
    public async Task A_users_alerts_within_the_window_form_one_case_and_a_gap_starts_another()
    {
        // ana: 0, 40 and 90 minutes (each within 60 of the previous), then 4 h later; bob: one; in two batches, the
        // first out of order. The 90-minute alert joins the case of the first batch; the last one opens another.
        var writer = new AlertWriter(_databases.Postgres, caseWindowMinutes: 60);
        var first = new[] { Alert("ana", 40, 30m, Severity.Critical), Alert("ana", 0, 20m, Severity.Medium), Alert("bob", 5, 7m, Severity.Critical) };
        var second = new[] { Alert("ana", 90, 10m, Severity.High), Alert("ana", 330, 40m, Severity.Medium) };
        await writer.WriteAsync(first, [], "test", "test", CancellationToken.None);
        await writer.WriteAsync(second, [], "test", "test", CancellationToken.None);
        var before = await CasesAsync();
        // A redelivered batch: no alert is new, so nothing is assigned again.
        var replayed = await writer.WriteAsync([.. first, .. second], [], "test", "test", CancellationToken.None);
        var after = await CasesAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Select(c => (c.UserId, c.Alerts, c.Amount, c.Worst)), Is.EquivalentTo(new[]
            {
                ("ana", 3L, 60m, 5), ("ana", 1L, 40m, 3), ("bob", 1L, 7m, 5),
            }));
            Assert.That(await ScalarAsync("SELECT count(*) FROM fraud_alerts WHERE case_id IS NULL"), Is.Zero);
            Assert.That(replayed, Is.Zero);
            Assert.That(after, Is.EqualTo(before), "same cases, same members");
        }
    }

    [Test]
    public async Task A_case_whose_alerts_are_all_closed_takes_no_more_and_the_backfill_groups_as_the_writer_does()
    {
        var writer = new AlertWriter(_databases.Postgres, caseWindowMinutes: 60);
        await writer.WriteAsync([Alert("cid", 0, 1m, Severity.High), Alert("cid", 10, 2m, Severity.High)], [], "test", "test", CancellationToken.None);
        await using (var connection = await _databases.Postgres.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE fraud_alerts SET status = 'RESOLVED' WHERE user_id = 'cid'");
        }

        await writer.WriteAsync([Alert("cid", 20, 3m, Severity.Medium)], [], "test", "test", CancellationToken.None);
        var closedThenNew = await CasesAsync();

        // Many users, some with gaps: what the writer made must be what the backfill makes from no cases at all.
        var generator = new SyntheticResults(7, 1.0, Start);
        var many = Enumerable.Range(0, 600).Select(i =>
        {
            var result = generator.Next();
            var user = $"u{i % 40}";
            // Every tenth alert of a user comes 2 h after the previous block: a new case.
            var at = Start.AddMinutes((i / 40 * 10) + ((i / 400) * 120));
            return Persistable(result with { UserId = user, DetectedAt = at, Transaction = result.Transaction! with { UserId = user } });
        }).ToList();
        await writer.WriteAsync(many, [], "test", "test", CancellationToken.None);
        var byWriter = await GroupingAsync();
        await using (var connection = await _databases.Postgres.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE fraud_alerts SET case_id = NULL WHERE user_id LIKE 'u%'; DELETE FROM fraud_cases WHERE user_id LIKE 'u%'");
            Assert.That(await connection.ExecuteScalarAsync<int>("SELECT assign_alert_cases(interval '60 minutes')"), Is.EqualTo(600));
        }

        var byBackfill = await GroupingAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(closedThenNew.Where(c => c.UserId == "cid").Select(c => c.Alerts), Is.EquivalentTo(new[] { 2L, 1L }), "the resolved case stays closed");
            Assert.That(byWriter, Has.Count.EqualTo(80), "40 users, two blocks each");
            Assert.That(byBackfill, Is.EquivalentTo(byWriter));
        }
    }

    [Test]
    public async Task Writers_racing_on_one_users_alerts_give_them_one_case_and_no_empty_one()
    {
        // Twelve batches of one user's alerts, a minute apart, written at once by writers of their own (as workers
        // owning different partitions would): each must see the case another committed, never open a second one.
        var batches = Enumerable.Range(0, 12).Select(i => new[] { Alert("race", i, 1m + i, Severity.High) }).ToList();
        await Task.WhenAll(batches.Select(batch => Task.Run(() =>
            new AlertWriter(_databases.Postgres, caseWindowMinutes: 60).WriteAsync(batch, [], "test", "test", CancellationToken.None))));
        // And all of them again at once, as after a crash before the commit: nothing new, so no case either.
        var replayed = await Task.WhenAll(batches.Select(batch => Task.Run(() =>
            new AlertWriter(_databases.Postgres, caseWindowMinutes: 60).WriteAsync(batch, [], "test", "test", CancellationToken.None))));

        var cases = await CasesAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases.Where(c => c.UserId == "race").Select(c => c.Alerts), Is.EqualTo(new[] { 12L }));
            Assert.That(replayed, Is.All.Zero);
            Assert.That(await ScalarAsync("SELECT count(*) FROM fraud_cases c WHERE NOT EXISTS (SELECT 1 FROM fraud_alerts a WHERE a.case_id = c.id)"), Is.Zero, "empty cases");
        }
    }

    [Test]
    public void The_window_must_be_positive()
    {
        var error = Assert.ThrowsAsync<Npgsql.PostgresException>(async () =>
        {
            await using var connection = await _databases.Postgres.OpenConnectionAsync();
            await connection.ExecuteAsync("SELECT assign_alert_cases(interval '0 minutes')");
        });
        Assert.That(error!.MessageText, Does.Contain("must be positive"));
    }

    private PersistableResult Alert(string user, int minutes, decimal amount, Severity severity)
    {
        var result = new SyntheticResults((int)_offset + 1, 1.0, Start).Next();
        return Persistable(result with
        {
            UserId = user,
            Severity = severity,
            FraudScore = severity == Severity.Critical ? 0.95 : severity == Severity.High ? 0.8 : 0.5,
            DetectedAt = Start.AddMinutes(minutes),
            TransactionId = $"case-{user}-{minutes}",
            Transaction = result.Transaction! with { UserId = user, Amount = amount, TransactionId = $"case-{user}-{minutes}" },
        });
    }

    private PersistableResult Persistable(DetectionResult result) =>
        new(result, new KafkaCoordinates(Topics.DetectionResults, 0, _offset++), IsAlert: true);

    /// <summary>Each case: its user, how many alerts, their total amount, their worst severity rank, and their transactions.</summary>
    private async Task<List<(string UserId, long Alerts, decimal Amount, int Worst, string Members)>> CasesAsync()
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(string, long, decimal, int, string)>(
            "SELECT c.user_id, count(*), sum(a.amount), max(a.severity_rank), string_agg(a.transaction_id, ',' ORDER BY a.transaction_id) "
            + "FROM fraud_cases c JOIN fraud_alerts a ON a.case_id = c.id GROUP BY c.id ORDER BY 5")];
    }

    /// <summary>Which alerts share a case, independent of the cases' ids.</summary>
    private async Task<List<string>> GroupingAsync()
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            "SELECT string_agg(transaction_id, ',' ORDER BY transaction_id) FROM fraud_alerts WHERE user_id LIKE 'u%' GROUP BY case_id ORDER BY 1")];
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
