namespace StreamSentinel.Persistence.Verification;

/// <summary>
/// What the results topic holds beyond the committed messages <c>verify</c> expects in the stores: every event any
/// message carries, the messages not committed yet, and the oldest message's time, so that a row or
/// alert no message accounts for can be told from one still in flight or left by an earlier broker.
/// </summary>
internal sealed class KafkaContent
{
    public HashSet<string> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>Readable messages past the group's committed offset, by coordinates: their event id.</summary>
    public Dictionary<(int Partition, long Offset), string> InFlight { get; } = [];

    /// <summary>The oldest message's timestamp (Unix milliseconds); <see cref="long.MaxValue"/> when the topic is empty.</summary>
    public long Earliest { get; set; } = long.MaxValue;

    /// <summary>Whole seconds before the oldest message, with one second of slack for the stores' second-resolution clocks.</summary>
    public long EarliestSeconds => Earliest == long.MaxValue ? long.MaxValue : (Earliest / 1000) - 1;

    /// <summary>False when Kafka has deleted old messages: rows of those are unverifiable, not strays.</summary>
    public bool StrayCheck { get; set; }
}
