using Dapper;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.PostgreSql;
using StreamSentinel.PostgreSql.Alerts;
using StreamSentinel.Migrations;

namespace StreamSentinel.IntegrationTests.Postgres;

/// <summary>The PostgreSQL schema as migrated, and EF Core's mapping of it.</summary>
public sealed class SchemaConstraintTests
{
    private ScratchDatabases _databases = null!;

    [OneTimeSetUp]
    public async Task MigrateAsync()
    {
        _databases = await IsolatedDatabases.CreateMigratedAsync();
    }

    [OneTimeTearDown]
    public async Task DropAsync() => await _databases.DisposeAsync();

    [Test]
    public void Unknown_severity_is_rejected_by_its_check_constraint()
    {
        var error = Assert.ThrowsAsync<PostgresException>(() => InsertAlertAsync(severity: "SEVERE"));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
        Assert.That(error.ConstraintName, Is.EqualTo("fraud_alerts_severity_check"));
    }

    [TestCase(1.5)]
    [TestCase(-0.1)]
    public void Score_outside_zero_to_one_is_rejected_by_its_check_constraint(decimal score)
    {
        var error = Assert.ThrowsAsync<PostgresException>(() => InsertAlertAsync(score: score));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
        Assert.That(error.ConstraintName, Is.EqualTo("fraud_alerts_fraud_score_check"));
    }

    [Test]
    public void Unknown_status_is_rejected_by_its_check_constraint()
    {
        var error = Assert.ThrowsAsync<PostgresException>(() => InsertAlertAsync(status: "CLOSED"));

        Assert.That(error!.ConstraintName, Is.EqualTo("fraud_alerts_status_check"));
    }

    [Test]
    public async Task Second_alert_for_the_same_event_is_rejected()
    {
        var eventId = new string('e', 64);
        await InsertAlertAsync(eventId: eventId);

        var error = Assert.ThrowsAsync<PostgresException>(() => InsertAlertAsync(eventId: eventId));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That(error.ConstraintName, Is.EqualTo("fraud_alerts_event_id_key"));
    }

    [Test]
    public async Task Two_events_that_share_a_client_chosen_transaction_id_are_two_alerts()
    {
        // Issue 18: transaction ids are the client's; another client reusing one must not suppress an alert.
        var transactionId = await InsertAlertAsync();
        await InsertAlertAsync(transactionId: transactionId);

        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId }), Is.EqualTo(2));
    }

    [Test]
    public void Unknown_risk_level_is_rejected()
    {
        var error = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = await _databases.Postgres.OpenConnectionAsync();
            await connection.ExecuteAsync("INSERT INTO user_accounts (user_id, risk_level) VALUES ('u-risk', 'EXTREME')");
        });

        Assert.That(error!.ConstraintName, Is.EqualTo("user_accounts_risk_level_check"));
    }

    [Test]
    public async Task EF_Core_maps_every_column_of_every_table_it_knows()
    {
        await using var context = CreateContext();
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        using (Assert.EnterMultipleScope())
        {
            foreach (var entity in context.Model.GetEntityTypes())
            {
                var table = entity.GetTableName()!;
                var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
                // xmin is PostgreSQL's system column behind the row version: mapped, but never in information_schema.
                var mapped = entity.GetProperties().Select(p => p.GetColumnName(store)).Where(c => c != "xmin").ToList();
                var columns = await connection.QueryAsync<string>(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", new { table });

                Assert.That(mapped, Is.EquivalentTo(columns), $"{entity.ClrType.Name} against {table}");
            }
        }
    }

    [Test]
    public async Task EF_Core_writes_an_alert_and_reads_it_back_with_the_database_computed_columns()
    {
        var transactionId = "txn-" + Guid.NewGuid().ToString("N");
        await using (var context = CreateContext())
        {
            context.FraudAlerts.Add(NewAlert(transactionId));
            await context.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            var alert = await context.FraudAlerts.SingleAsync(a => a.TransactionId == transactionId);
            var written = NewAlert(transactionId);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(
                    (alert.EventId, alert.UserId, alert.Severity, alert.Amount, alert.Currency, alert.MerchantId, alert.MerchantCategory),
                    Is.EqualTo((written.EventId, written.UserId, written.Severity, written.Amount, written.Currency, written.MerchantId, written.MerchantCategory)));
                Assert.That((alert.Country, alert.ModelName, alert.ModelVersion), Is.EqualTo((written.Country, written.ModelName, written.ModelVersion)));
                Assert.That(alert.EventTime, Is.EqualTo(written.EventTime).Within(TimeSpan.FromSeconds(5)));
                Assert.That(alert.DetectedAt, Is.EqualTo(written.DetectedAt).Within(TimeSpan.FromSeconds(5)));
                Assert.That(System.Text.Json.Nodes.JsonNode.Parse(alert.Explanation)!["summary"]!.GetValue<string>(), Is.EqualTo("7 payments in a minute"));
                Assert.That(alert.SeverityRank, Is.EqualTo(4), "HIGH ranks 4");
                Assert.That(alert.Status, Is.EqualTo(AlertStatus.Pending));
                Assert.That(alert.FraudScore, Is.EqualTo(0.8731m));
                Assert.That(alert.BusinessRulesTriggered, Is.EqualTo(new[] { "velocity_burst", "new_device" }));
                Assert.That(alert.CreatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
                Assert.That(alert.RowVersion, Is.Not.Zero);
            }
        }
    }

    [Test]
    public async Task Two_analysts_changing_the_same_alert_never_overwrite_each_other_silently()
    {
        var transactionId = "txn-" + Guid.NewGuid().ToString("N");
        await using (var setup = CreateContext())
        {
            setup.FraudAlerts.Add(NewAlert(transactionId));
            await setup.SaveChangesAsync();
        }

        await using var first = CreateContext();
        await using var second = CreateContext();
        var firstView = await first.FraudAlerts.SingleAsync(a => a.TransactionId == transactionId);
        var secondView = await second.FraudAlerts.SingleAsync(a => a.TransactionId == transactionId);
        firstView.Status = AlertStatus.Investigating;
        firstView.Assignee = "alice";
        await first.SaveChangesAsync();

        secondView.Status = AlertStatus.FalsePositive;
        secondView.Assignee = "bob";

        Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var reader = CreateContext();
        var stored = await reader.FraudAlerts.AsNoTracking().SingleAsync(a => a.TransactionId == transactionId);
        Assert.That((stored.Status, stored.Assignee), Is.EqualTo((AlertStatus.Investigating, "alice")));
    }

    [Test]
    public async Task Updated_at_follows_every_change()
    {
        var transactionId = await InsertAlertAsync();
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId });

        await connection.ExecuteAsync("UPDATE fraud_alerts SET assignee = 'carol' WHERE transaction_id = @transactionId", new { transactionId });

        var after = await connection.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId });
        Assert.That(after, Is.GreaterThan(before));
    }

    // Each index on fraud_alerts costs every alert insert (issue 17): each must serve a query the product runs. These
    // are those queries, in the shape the product sends them, with the index that answers each.
    private static readonly (string Index, string Query)[] AlertQueries =
    [
        ("fraud_alerts_pkey", "SELECT * FROM fraud_alerts WHERE id = '00000000-0000-0000-0000-000000000001'"),
        // The console's alert pages, newest first (AlertService.PageAsync): all, one status, one user.
        ("fraud_alerts_queue_idx", "SELECT id FROM fraud_alerts ORDER BY created_at DESC, id DESC LIMIT 50"),
        ("fraud_alerts_status_queue_idx", "SELECT id FROM fraud_alerts WHERE status = 'PENDING' ORDER BY created_at DESC, id DESC LIMIT 50"),
        ("fraud_alerts_user_queue_idx", "SELECT id FROM fraud_alerts WHERE user_id = 'user-42' ORDER BY created_at DESC, id DESC LIMIT 50"),
        // The writer's replay check (write_alerts.sql) and an analyst looking up a payment.
        ("fraud_alerts_event_id_key", "SELECT 1 FROM fraud_alerts WHERE event_id = 'e'"),
        ("fraud_alerts_transaction_id_idx", "SELECT id FROM fraud_alerts WHERE transaction_id = 'txn-1'"),
        // A case's alerts (the case page, refresh_fraud_case_open, the round robin) and the backfill of alerts without one.
        ("fraud_alerts_case_idx", "SELECT min(created_at) FROM fraud_alerts WHERE case_id = '00000000-0000-0000-0000-000000000001' AND status IN ('PENDING', 'INVESTIGATING')"),
        ("fraud_alerts_uncased_idx", "SELECT id, user_id, detected_at FROM fraud_alerts WHERE case_id IS NULL ORDER BY user_id, detected_at"),
    ];

    [TestCaseSource(nameof(AlertQueryIndexes))]
    public async Task Each_alert_query_is_served_by_its_index(string index, string query)
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        // The table is nearly empty here, so forbid the sequential and bitmap scans a planner would rightly prefer; the
        // point is that an index matches the query's filter and order, so that it is there to be used at 10M rows.
        await connection.ExecuteAsync("SET enable_seqscan = off; SET enable_bitmapscan = off");
        var plan = string.Join('\n', await connection.QueryAsync<string>("EXPLAIN " + query));

        Assert.That(plan, Does.Contain($" using {index} on fraud_alerts"));
        Assert.That(plan, Does.Not.Contain("Sort"), "the index gives the order; no sort step");
    }

    [Test]
    public async Task Every_index_on_fraud_alerts_serves_a_query_the_product_runs()
    {
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        var indexes = await connection.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'fraud_alerts'");

        Assert.That(indexes, Is.EquivalentTo(AlertQueries.Select(q => q.Index)),
            "an index no query reads only slows the fleet's inserts; one a query needs must be listed with that query");
    }

    private static IEnumerable<TestCaseData> AlertQueryIndexes() =>
        AlertQueries.Select(q => new TestCaseData(q.Index, q.Query).SetArgDisplayNames(q.Index));

    private SentinelDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<SentinelDbContext>().UseNpgsql(_databases.Postgres).Options);

    private static FraudAlert NewAlert(string transactionId) => new()
    {
        TransactionId = transactionId,
        // One event per alert (fraud_alerts is unique by event_id, sql/postgres/0010).
        EventId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(transactionId))),
        UserId = "user-42",
        Severity = "HIGH",
        FraudScore = 0.8731m,
        BusinessRulesTriggered = ["velocity_burst", "new_device"],
        Explanation = """{"summary": "7 payments in a minute"}""",
        Amount = 12.5m,
        Currency = "EUR",
        MerchantId = "merchant-7",
        MerchantCategory = "5411",
        Country = "FR",
        ModelName = "fraud-gbm",
        ModelVersion = "2026.11.1",
        EventTime = DateTimeOffset.UtcNow.AddSeconds(-2),
        DetectedAt = DateTimeOffset.UtcNow,
    };

    private async Task<string> InsertAlertAsync(string? transactionId = null, string severity = "HIGH", decimal score = 0.9m, string status = "PENDING", string? eventId = null)
    {
        transactionId ??= "txn-" + Guid.NewGuid().ToString("N");
        // Unique per alert unless a test asks for the same one: alerts are unique by event (sql/postgres/0010).
        eventId ??= Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await using var connection = await _databases.Postgres.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO fraud_alerts (transaction_id, event_id, user_id, severity, fraud_score, status, amount, currency,
                                      merchant_id, merchant_category, country, model_name, model_version, event_time, detected_at)
            VALUES (@transactionId, @eventId, 'user-1', @severity, @score, @status, 10, 'EUR',
                    'm-1', '5411', 'FR', 'fraud-gbm', '1', now(), now())
            """,
            new { transactionId, eventId, severity, score, status });
        return transactionId;
    }
}
