namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>
/// A row of <c>fraud_cases</c> (sql/postgres/0011_fraud_cases.sql): a user's alerts detected close together. The
/// persistence fleet makes and extends cases as it inserts their alerts (sql/queries/postgres/write_alerts.sql); what a case holds is read from its alerts.
/// </summary>
public sealed class FraudCase
{
    public Guid Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>Detection time of its first alert.</summary>
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>Detection time of its latest alert; the case queue's order.</summary>
    public DateTimeOffset LastAlertAt { get; set; }

    /// <summary>The analyst who owns it (sql/postgres/0012_case_assignment.sql), or nobody yet.</summary>
    public string? Assignee { get; set; }

    /// <summary>
    /// When the round-robin (Console:AutoAssign, sql/postgres/0017_case_round_robin.sql) saw it; null until then. A
    /// case it saw is never handed out again.
    /// </summary>
    public DateTimeOffset? RoutedAt { get; set; }

    /// <summary>
    /// Creation of its oldest open alert, null when none is open (sql/postgres/0016_case_due_times.sql): kept by the
    /// writer and a trigger, never set by the console.
    /// </summary>
    public DateTimeOffset? OpenSince { get; private set; }

    /// <summary>The worst severity_rank among its open alerts (1 MINIMAL .. 5 CRITICAL), null when none is open; kept as <see cref="OpenSince"/>.</summary>
    public short? OpenRank { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>PostgreSQL's row version (<c>xmin</c>).</summary>
    public uint RowVersion { get; private set; }
}
