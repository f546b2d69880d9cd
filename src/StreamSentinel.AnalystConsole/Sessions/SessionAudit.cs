using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StreamSentinel.AnalystConsole.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.PostgreSql;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.AnalystConsole.Sessions;

/// <summary>
/// Sign-ins, failures, lockouts and sign-outs in <c>system_audit_log</c> (written here, then published like a status
/// change, with the same id), and the lockout read back from them: the failures of one name from one address since
/// that name last signed in. Kept in PostgreSQL, the count is shared by every console instance and survives restarts.
/// </summary>
public sealed class SessionAudit(SentinelDbContext db, IOptions<ConsoleOptions> options, IOperationalEvents events, TimeProvider time)
{
    public const string EntityType = "console_user";
    public const string SignedIn = "session.signed_in";
    public const string SignInFailed = "session.sign_in_failed";
    public const string LockedOut = "session.locked_out";
    public const string SignedOut = "session.signed_out";

    /// <summary>The actor of an attempt nobody has proven yet: the address it came from.</summary>
    public static string Anonymous(string address) => $"anonymous/{address}";

    public static string Person(string role, string name) => $"{role}/{name}";

    /// <summary>When the name may try again from this address, or null when it is not locked out.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string name, string address, CancellationToken cancellationToken)
    {
        var entity = Entity(name);
        var since = time.GetUtcNow().AddMinutes(-options.Value.LockoutMinutes);
        var lastSignIn = await db.AuditLog.AsNoTracking()
            .Where(e => e.EntityType == EntityType && e.EntityId == entity && e.Action == SignedIn && e.OccurredAt > since)
            .MaxAsync(e => (DateTimeOffset?)e.OccurredAt, cancellationToken);
        if (lastSignIn > since)
        {
            since = lastSignIn.Value;
        }

        var actor = Anonymous(address);
        var failures = await db.AuditLog.AsNoTracking()
            .Where(e => e.EntityType == EntityType && e.EntityId == entity && e.Action == SignInFailed && e.Actor == actor && e.OccurredAt > since)
            .OrderByDescending(e => e.OccurredAt)
            .Select(e => e.OccurredAt)
            .Take(options.Value.MaxFailedSignIns)
            .ToListAsync(cancellationToken);
        return failures.Count >= options.Value.MaxFailedSignIns ? failures[0].AddMinutes(options.Value.LockoutMinutes) : null;
    }

    public Task RecordAsync(string actor, string action, string name, string address, CancellationToken cancellationToken, string? reason = null)
    {
        var audit = new AuditEvent
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = time.GetUtcNow(),
            Actor = actor,
            Action = action,
            EntityType = EntityType,
            EntityId = Entity(name),
            Details = new JsonObject { ["address"] = address, ["reason"] = reason },
        };
        return WriteAsync(audit, cancellationToken);
    }

    private async Task WriteAsync(AuditEvent audit, CancellationToken cancellationToken)
    {
        db.AuditLog.Add(AuditLogEntry.Of(audit));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        events.Publish(audit);
    }

    // Names compare without case at sign-in, so the audit trail keeps one spelling per person.
    private static string Entity(string name) => name.Trim().ToLowerInvariant();
}
