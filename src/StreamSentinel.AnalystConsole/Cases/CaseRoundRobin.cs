using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.AnalystConsole.Diagnostics;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Hosting.Resilience;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.PostgreSql;

namespace StreamSentinel.AnalystConsole.Cases;

/// <summary>
/// Round-robin assignment of new cases (<see cref="AutoAssignOptions"/>, sql/postgres/0017_case_round_robin.sql): each
/// case the rotation has not seen that nobody owns and that has an open alert goes, with its open alerts, to the
/// analyst after the one who got the last case, audited as an assignment by <c>console/round-robin</c>. It runs when
/// <see cref="Wake"/> is called (the alert listener does, for every batch stored and whenever it starts listening), so
/// nothing polls. Any number of consoles may run it: the turn is one shared row, locked for each round.
/// </summary>
public sealed class CaseRoundRobin(
    IServiceScopeFactory scopes,
    IOptions<AutoAssignOptions> options,
    IOptions<ConsoleOptions> console,
    IOperationalEvents events,
    ConsoleMetrics metrics,
    TimeProvider time,
    ILogger<CaseRoundRobin> logger) : BackgroundService
{
    public const string Actor = "console/round-robin";

    // One pending wake is enough: a round takes every case not seen yet, whatever number of batches woke it.
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a round soon: new cases may be stored. Cheap, never blocks; a no-op when the rotation is off.</summary>
    public void Wake() => _wakes.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // The configured spelling of each name (checked at start: each is an analyst): cases and alerts carry it as the
        // console's users are named.
        var analysts = options.Value.Analysts.Select(a => console.Value.AnalystNamed(a)!).ToList();
        Log.RoundRobinStarted(logger, string.Join(", ", analysts));
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        try
        {
            while (await _wakes.Reader.WaitToReadAsync(stoppingToken))
            {
                _wakes.Reader.TryRead(out _);
                try
                {
                    // Round after round until one finds fewer cases than it may take: the backlog drains at once.
                    while (await RoundAsync(analysts, stoppingToken) >= options.Value.BatchSize)
                    {
                    }

                    backoff.Reset();
                }
                catch (Exception exception) when (exception is NpgsqlException or DbUpdateException or TimeoutException or InvalidOperationException
                                                  && !stoppingToken.IsCancellationRequested)
                {
                    var delay = backoff.Next();
                    Log.RoundRobinFailed(logger, backoff.Attempts, (int)delay.TotalMilliseconds, exception);
                    await Task.Delay(delay, stoppingToken);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One transaction: the cases not seen yet, oldest first, up to the batch size; returns how many it saw.</summary>
    private async Task<int> RoundAsync(List<string> analysts, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SentinelDbContext>();
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The turn: whoever holds this row assigns; another console waits for it and then sees what this one did.
        var last = (await db.Database
            .SqlQuery<string>($"SELECT coalesce(last_analyst, '') AS \"Value\" FROM case_round_robin FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault()
            ?? throw new InvalidOperationException("case_round_robin has no row: run stream-sentinel migrate (sql/postgres/0017_case_round_robin.sql).");
        var unseen = await db.FraudCases
            .FromSqlInterpolated($"SELECT fraud_cases.*, xmin FROM fraud_cases WHERE routed_at IS NULL ORDER BY created_at, id LIMIT {options.Value.BatchSize} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (unseen.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        var ids = unseen.Select(c => c.Id).ToArray();
        var members = (await db.FraudAlerts
            .FromSqlInterpolated($"SELECT fraud_alerts.*, xmin FROM fraud_alerts WHERE case_id = ANY({ids}) AND status IN ('PENDING', 'INVESTIGATING') ORDER BY id FOR UPDATE")
            .ToListAsync(cancellationToken)).ToLookup(a => a.CaseId);
        var next = analysts.IndexOf(last) + 1;
        var now = time.GetUtcNow();
        var audits = new List<Contracts.AuditEvent>();
        var given = new List<string>();
        foreach (var fraudCase in unseen)
        {
            fraudCase.RoutedAt = now;
            // Owned already (an analyst was quicker) or closed meanwhile: seen, and left as it is.
            if (fraudCase.Assignee is not null || !members[fraudCase.Id].Any())
            {
                continue;
            }

            var analyst = analysts[next % analysts.Count];
            next++;
            audits.AddRange(cases.Give(fraudCase, members[fraudCase.Id], analyst, note: "round-robin", Actor));
            given.Add(analyst);
            last = analyst;
        }

        if (given.Count > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE case_round_robin SET last_analyst = {last}, updated_at = now()", cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var audit in audits)
        {
            events.Publish(audit);
        }

        foreach (var analyst in given)
        {
            metrics.RoundRobinAssigned(analyst);
        }

        if (given.Count > 0)
        {
            Log.RoundRobinAssigned(logger, given.Count, unseen.Count);
        }

        return unseen.Count;
    }
}
