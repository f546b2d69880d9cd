namespace StreamSentinel.PostgreSql.Alerts;

/// <summary>A row of <c>verdict_approvals</c> (sql/postgres/0013_verdict_approvals.sql): a verdict waiting for a second analyst.</summary>
public sealed class VerdictApproval
{
    public Guid Id { get; set; }

    public Guid AlertId { get; set; }

    /// <summary>CONFIRMED_FRAUD or FALSE_POSITIVE.</summary>
    public required string ProposedStatus { get; set; }

    public required string ProposedBy { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset ProposedAt { get; set; }

    /// <summary>APPROVED, REJECTED, or null while pending.</summary>
    public string? Decision { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public uint RowVersion { get; private set; }
}
