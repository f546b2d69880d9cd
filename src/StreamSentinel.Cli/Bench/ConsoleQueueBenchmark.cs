using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using StreamSentinel.AnalystConsole.Alerts;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.Hosting.Diagnostics;
using StreamSentinel.Migrations;

namespace StreamSentinel.Cli.Bench;

/// <summary>
/// The analysts' queue at scale: a fresh database filled with many alerts (spread over 90 days, realistic shares of
/// statuses and severities, 500,000 users), one console process, and the time of a page of the queue as the API
/// serves it, for the first page and for a page in the middle of the same filtered queue (keyset cursor).
/// </summary>
internal sealed class ConsoleQueueBenchmark(string adminPostgres, string adminClickHouse, string? kafka, TextWriter output)
{
    private const string Password = "bench-password-0123";

    // Rows built by generate_series: i decides everything, so two runs of the same size hold the same alerts.
    private const string Fill = """
        INSERT INTO fraud_alerts (transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered, status, assignee,
                                  amount, currency, merchant_id, merchant_category, country, model_name, model_version,
                                  event_time, detected_at, created_at, updated_at)
        SELECT 'bench-' || i, lpad(to_hex(i), 64, '0'), 'user-' || (i % 500000),
               (ARRAY['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM'])[1 + i % 6],
               0.5 + (i % 500) / 1000.0, ARRAY['velocity_burst'],
               CASE WHEN i % 100 < 70 THEN 'PENDING' WHEN i % 100 < 80 THEN 'INVESTIGATING' WHEN i % 100 < 90 THEN 'FALSE_POSITIVE'
                    WHEN i % 100 < 99 THEN 'CONFIRMED_FRAUD' ELSE 'RESOLVED' END,
               CASE WHEN i % 100 >= 70 THEN 'analyst-' || (i % 7) END,
               (i % 100000) / 100.0, 'EUR', 'm-' || (i % 2000), '5411', 'FR', 'bench', 'v1',
               t, t, t, t
        FROM generate_series(@first, @last) AS i,
             LATERAL (SELECT timestamptz '2026-08-01 00:00:00+00' + (i * (90 * 86400.0 / @total)) * interval '1 second' AS t) AS at
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
            const int Chunk = 1_000_000;
            for (var first = 1; first <= alerts; first += Chunk)
            {
                var last = Math.Min(alerts, first + Chunk - 1);
                await connection.ExecuteAsync(new CommandDefinition(Fill, new { first, last, total = alerts }, commandTimeout: 3600, cancellationToken: cancellationToken));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {last:N0} alerts written ({stopwatch.Elapsed.TotalSeconds:F0} s)"));
            }

            await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE fraud_alerts", commandTimeout: 3600, cancellationToken: cancellationToken));
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
                var first = await MedianMsAsync(http, $"/api/alerts?limit=50&{query}", repeats, cancellationToken);
                var deep = await MedianMsAsync(http, $"/api/alerts?limit=50&{query}&cursor={middle}", repeats, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {queue}: {matching:N0} alerts, first page {first:F1} ms, middle page {deep:F1} ms"));
                rows.Add(new Row(queue, matching, first, deep));
            }

            return rows;
        }
        finally
        {
            await console.StopAsync(cancellationToken);
        }
    }

    /// <summary>How many alerts the queue holds, and the cursor of the page halfway down it.</summary>
    private static async Task<(long Matching, string Cursor)> MiddleAsync(ScratchDatabases databases, string where, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Postgres.OpenConnectionAsync(cancellationToken);
        var matching = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM fraud_alerts WHERE {where}", commandTimeout: 600, cancellationToken: cancellationToken));
        var (createdAt, id) = await connection.QuerySingleAsync<(DateTime CreatedAt, Guid Id)>(new CommandDefinition(
            $"SELECT created_at, id FROM fraud_alerts WHERE {where} ORDER BY created_at DESC, id DESC OFFSET @middle LIMIT 1",
            new { middle = matching / 2 }, commandTimeout: 600, cancellationToken: cancellationToken));
        return (matching, new AlertCursor(new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc)), id).ToString());
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
