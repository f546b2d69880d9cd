using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Cases;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Migrations;

namespace StreamSentinel.Cli.Bench;

/// <summary>
/// The analysts' queues at scale: a fresh database filled with many alerts (spread over 90 days, realistic shares of
/// statuses and severities, 500,000 users) in cases of up to three alerts of a user, one console process, and the
/// time of a page of the alert queue and of the case queue as the API serves it, for the first page and for a page in
/// the middle of the same filtered queue (keyset cursor).
/// </summary>
internal sealed class ConsoleQueueBenchmark(string adminPostgres, string adminClickHouse, string? kafka, TextWriter output)
{
    private const string Password = "bench-password-0123";

    // The time of alert i of @total: spread evenly over 90 days.
    private const string At = "timestamptz '2026-08-01 00:00:00+00' + (i * (90 * 86400.0 / @total)) * interval '1 second'";

    // A case of alert i: its user's alerts (i % 500,000) three at a time, so ~@total / 3 cases; 30 % of users' cases
    // have an owner. Written before the alerts, which point to them.
    private const string FillCases = $"""
        INSERT INTO fraud_cases (id, user_id, opened_at, last_alert_at, created_at, updated_at, assignee, routed_at)
        SELECT md5('bench-case-' || u || '-' || k)::uuid, 'user-' || u, min(t), max(t), min(t), max(t),
               CASE WHEN u % 10 < 3 THEN 'analyst-' || (u % 7) END, min(t)
        FROM generate_series(1, @total) AS i,
             LATERAL (SELECT i % 500000 AS u, i / 1500000 AS k, {At} AS t) AS g
        GROUP BY u, k
        """;

    // What the writer and the trigger keep on a case (sql/postgres/0016_case_due_times.sql), set in one pass here.
    private const string OpenCases = """
        UPDATE fraud_cases c SET open_since = s.open_since, open_rank = s.open_rank
        FROM (SELECT case_id, min(created_at) AS open_since, max(severity_rank)::smallint AS open_rank
              FROM fraud_alerts WHERE status IN ('PENDING', 'INVESTIGATING') GROUP BY case_id) AS s
        WHERE c.id = s.case_id
        """;

    // A case's due time with the console's default SLAs (Console:Sla), for the cursor of a middle page.
    private const string DueAt = "open_since + (ARRAY[interval '7 days', interval '3 days', interval '24 hours', interval '4 hours', interval '1 hour'])[open_rank]";

    // Rows built by generate_series: i decides everything, so two runs of the same size hold the same alerts.
    private const string Fill = $"""
        INSERT INTO fraud_alerts (transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered, status, assignee,
                                  amount, currency, merchant_id, merchant_category, country, model_name, model_version,
                                  event_time, detected_at, created_at, updated_at, case_id)
        SELECT 'bench-' || i, lpad(to_hex(i), 64, '0'), 'user-' || (i % 500000),
               (ARRAY['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM'])[1 + i % 6],
               0.5 + (i % 500) / 1000.0, ARRAY['velocity_burst'],
               CASE WHEN i % 100 < 70 THEN 'PENDING' WHEN i % 100 < 80 THEN 'INVESTIGATING' WHEN i % 100 < 90 THEN 'FALSE_POSITIVE'
                    WHEN i % 100 < 99 THEN 'CONFIRMED_FRAUD' ELSE 'RESOLVED' END,
               CASE WHEN i % 100 >= 70 THEN 'analyst-' || (i % 7) END,
               (i % 100000) / 100.0, 'EUR', 'm-' || (i % 2000), '5411', 'FR', 'bench', 'v1',
               t, t, t, t, md5('bench-case-' || (i % 500000) || '-' || (i / 1500000))::uuid
        FROM generate_series(@first, @last) AS i,
             LATERAL (SELECT {At} AS t) AS at
        """;

    public sealed record Row(string Queue, long Matching, double FirstPageMs, double MiddlePageMs)
    {
        public double Ratio => MiddlePageMs / FirstPageMs;
    }

    public async Task<IReadOnlyList<Row>> RunAsync(int alerts, int repeats, CancellationToken cancellationToken)
    {
        await using var databases = await ScratchDatabases.CreateAsync(adminPostgres, adminClickHouse, "ss_bench_");
        await databases.Migrator().MigrateAsync(dryRun: false, cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        await using (var connection = await databases.Postgres.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(FillCases, new { total = alerts }, commandTimeout: 3600, cancellationToken: cancellationToken));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cases written ({stopwatch.Elapsed.TotalSeconds:F0} s)"));
            const int Chunk = 1_000_000;
            for (var first = 1; first <= alerts; first += Chunk)
            {
                var last = Math.Min(alerts, first + Chunk - 1);
                await connection.ExecuteAsync(new CommandDefinition(Fill, new { first, last, total = alerts }, commandTimeout: 3600, cancellationToken: cancellationToken));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {last:N0} alerts written ({stopwatch.Elapsed.TotalSeconds:F0} s)"));
            }

            await connection.ExecuteAsync(new CommandDefinition(OpenCases, commandTimeout: 3600, cancellationToken: cancellationToken));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cases' open span set ({stopwatch.Elapsed.TotalSeconds:F0} s)"));
            await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE fraud_alerts", commandTimeout: 3600, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE fraud_cases", commandTimeout: 3600, cancellationToken: cancellationToken));
        }

        using var console = BenchWorker.Start(["run", "console", "--http-port", "0"], new Dictionary<string, string>
        {
            ["SS_POSTGRES"] = databases.PostgresConnectionString,
            ["SS_CLICKHOUSE"] = databases.ClickHouseConnectionString,
            // Its operational events need a broker; unreachable, they are dropped and counted, never waited for.
            ["SS_KAFKA"] = kafka ?? "127.0.0.1:9",
            ["Console__Users__0__Name"] = "bench",
            ["Console__Users__0__PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Console__Users__0__Role"] = "viewer",
        });
        try
        {
            await console.WaitForAsync("metrics on", TimeSpan.FromMinutes(2), cancellationToken);
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(console.Url!) };
            (await http.PostAsJsonAsync("/api/session", new { name = "bench", password = Password }, cancellationToken)).EnsureSuccessStatusCode();
            var rows = new List<Row>();
            foreach (var (queue, query, where) in new[]
            {
                ("every alert, newest first", "", "true"),
                ("status PENDING", "status=PENDING", "status = 'PENDING'"),
                ("severity CRITICAL,HIGH", "severity=CRITICAL,HIGH", "severity IN ('CRITICAL', 'HIGH')"),
                ("status RESOLVED (1 %)", "status=RESOLVED", "status = 'RESOLVED'"),
                ("PENDING and CRITICAL", "status=PENDING&severity=CRITICAL", "status = 'PENDING' AND severity = 'CRITICAL'"),
                ("one user", "user=user-4242", "user_id = 'user-4242'"),
            })
            {
                var (matching, middle) = await MiddleAsync(databases, where, cancellationToken);
                rows.Add(await TimeAsync(http, "alerts: " + queue, matching, $"/api/alerts?limit=50&{query}", middle.ToString(), repeats, cancellationToken));
            }

            // The case queue: a page of 50 cases, each summarized from its alerts.
            foreach (var (queue, query, where, byDue) in new[]
            {
                ("open, latest activity", "", "open_since IS NOT NULL", false),
                ("every case, latest activity", "open=false", "true", false),
                ("open, due first", "sort=due", "open_since IS NOT NULL", true),
                ("one analyst's, due first", "sort=due&assignee=analyst-3", "open_since IS NOT NULL AND assignee = 'analyst-3'", true),
                ("overdue, latest activity", "overdue=true", $"{DueAt} < now()", false),
                ("one user's", "open=false&user=user-4242", "user_id = 'user-4242'", false),
            })
            {
                var (matching, middle) = await MiddleCaseAsync(databases, where, byDue, cancellationToken);
                rows.Add(await TimeAsync(http, "cases: " + queue, matching, $"/api/cases?limit=50&{query}", middle.ToString(), repeats, cancellationToken));
            }

            return rows;
        }
        finally
        {
            await console.StopAsync(cancellationToken);
        }
    }

    private async Task<Row> TimeAsync(HttpClient http, string queue, long matching, string path, string middle, int repeats, CancellationToken cancellationToken)
    {
        var first = await MedianMsAsync(http, path, repeats, cancellationToken);
        var deep = await MedianMsAsync(http, $"{path}&cursor={middle}", repeats, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {queue}: {matching:N0}, first page {first:F1} ms, middle page {deep:F1} ms"));
        return new Row(queue, matching, first, deep);
    }

    /// <summary>How many cases the queue holds, and the cursor of the page halfway down it in its order.</summary>
    private static async Task<(long Matching, CaseCursor Cursor)> MiddleCaseAsync(ScratchDatabases databases, string where, bool byDue, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Postgres.OpenConnectionAsync(cancellationToken);
        var matching = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM fraud_cases WHERE {where}", commandTimeout: 600, cancellationToken: cancellationToken));
        var order = byDue ? $"{DueAt}, id" : "last_alert_at DESC, id DESC";
        var (at, id) = await connection.QuerySingleAsync<(DateTime At, Guid Id)>(new CommandDefinition(
            $"SELECT {(byDue ? DueAt : "last_alert_at")}, id FROM fraud_cases WHERE {where} ORDER BY {order} OFFSET @middle LIMIT 1",
            new { middle = matching / 2 }, commandTimeout: 600, cancellationToken: cancellationToken));
        return (matching, new CaseCursor(byDue, new AlertCursor(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), id)));
    }

    /// <summary>How many alerts the queue holds, and the cursor of the page halfway down it.</summary>
    private static async Task<(long Matching, AlertCursor Cursor)> MiddleAsync(ScratchDatabases databases, string where, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Postgres.OpenConnectionAsync(cancellationToken);
        var matching = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM fraud_alerts WHERE {where}", commandTimeout: 600, cancellationToken: cancellationToken));
        var (createdAt, id) = await connection.QuerySingleAsync<(DateTime CreatedAt, Guid Id)>(new CommandDefinition(
            $"SELECT created_at, id FROM fraud_alerts WHERE {where} ORDER BY created_at DESC, id DESC OFFSET @middle LIMIT 1",
            new { middle = matching / 2 }, commandTimeout: 600, cancellationToken: cancellationToken));
        return (matching, new AlertCursor(new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc)), id));
    }

    private static async Task<double> MedianMsAsync(HttpClient http, string path, int repeats, CancellationToken cancellationToken)
    {
        // One unmeasured request: JIT, plan cache and connection pool.
        (await http.GetAsync(path, cancellationToken)).EnsureSuccessStatusCode();
        var times = new LatencyHistogram();
        for (var i = 0; i < repeats; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path, cancellationToken);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            times.Record(stopwatch.Elapsed.TotalMilliseconds);
        }

        return times.Percentile(50);
    }
}
