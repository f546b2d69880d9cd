using System.ComponentModel.DataAnnotations;
using StreamSentinel.Hosting.Resilience;
using StreamSentinel.PostgreSql.Persistence;

namespace StreamSentinel.Persistence.Options;

/// <summary>Settings of the persistence worker (section <c>Persistence</c>).</summary>
public sealed class PersistenceOptions : IValidatableObject
{
    public const string SectionName = "Persistence";

    /// <summary>The consumer group; every instance of the fleet uses the same one and they share the partitions.</summary>
    [Required]
    public string ConsumerGroup { get; set; } = "stream-sentinel-persistence";

    /// <summary>The group that stores the operational streams (audit events, performance snapshots); every instance joins it too.</summary>
    [Required]
    public string OperationalConsumerGroup { get; set; } = "stream-sentinel-persistence-operational";

    /// <summary>This instance's name, in logs, audit entries and dead-letter headers.</summary>
    [Required]
    public string Instance { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// A batch (its alerts go to PostgreSQL at once, so analysts see them fast; its results join the open ClickHouse
    /// block) is written when it holds this many results ...
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>... or when its first result has waited this long, whichever comes first.</summary>
    [Range(1, 60_000)]
    public int BatchWaitMs { get; set; } = 500;

    /// <summary>
    /// While a batch is being written, the next one goes on taking what arrives, up to this many messages, instead of
    /// waiting: when PostgreSQL is the slower stage it gets fewer, larger transactions (its cost per transaction is
    /// mostly fixed), and the consumer keeps reading. At least <see cref="BatchSize"/>; equal to it turns this off.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 20_000;

    /// <summary>
    /// ... and it stops growing once it holds this many rows for PostgreSQL (alerts). Past that, a transaction's time
    /// grows with its alerts rather than being mostly fixed, and a larger one would only make its alerts wait longer.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBatchPostgresRows { get; set; } = 1000;

    /// <summary>
    /// ClickHouse gets its rows in large blocks, on a cadence of their own (issue 17): a block is sealed and inserted
    /// when it holds this many results ... Each insert makes a part per table and partition, so fewer, larger inserts
    /// are what ClickHouse is built for (about one per second per table). Offsets are committed once a block is in.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ClickHouseBlockRows { get; set; } = 150_000;

    /// <summary>... or when its first result has waited this long, whichever comes first.</summary>
    [Range(10, 60_000)]
    public int ClickHouseBlockMs { get; set; } = 1500;

    /// <summary>Larger messages are dead-lettered unread.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Attempts of a failing write before the worker pauses its partitions and waits for the database.</summary>
    [Range(1, 100)]
    public int RetryAttempts { get; set; } = 5;

    [Range(1, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    [Range(1, 600_000)]
    public int RetryMaxDelayMs { get; set; } = 5000;

    /// <summary>
    /// After a result flagged as a possible repeat, how many further messages of that partition are all checked for
    /// repeats (see the README: results detection published twice). The window is recorded in PostgreSQL with the
    /// batch, so that the partition's next owner continues it.
    /// </summary>
    [Range(0, 10_000_000)]
    public int RepeatSuspicionMessages { get; set; } = 20_000;

    /// <summary>While paused, how often the held batch is tried again.</summary>
    [Range(100, 600_000)]
    public int PausedRetryIntervalMs { get; set; } = 2000;

    /// <summary>
    /// A user's alerts detected at most this many minutes apart form one case while it has an open alert (issue 19,
    /// sql/postgres/0011_fraud_cases.sql). Every instance of the fleet must use the same value.
    /// </summary>
    [Range(1, 7 * 24 * 60)]
    public int CaseWindowMinutes { get; set; } = AlertWriter.DefaultCaseWindowMinutes;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBatchSize < BatchSize)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(MaxBatchSize)} ({MaxBatchSize}) must be at least {SectionName}:{nameof(BatchSize)} ({BatchSize}).",
                [nameof(MaxBatchSize)]);
        }

        foreach (var result in RetryBackoff.Validate(SectionName, RetryBaseDelayMs, RetryMaxDelayMs))
        {
            yield return result;
        }
    }
}
