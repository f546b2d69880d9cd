using System.Diagnostics.Metrics;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.AnalystConsole.Diagnostics;

/// <summary>The console's instruments (meter <c>StreamSentinel.Console</c>), exported on /metrics.</summary>
public sealed class ConsoleMetrics
{
    public const string MeterName = "StreamSentinel.Console";

    private readonly Counter<long> _reads;
    private readonly Counter<long> _changes;

    /// <summary>In a performance snapshot: alert pages read in, status changes out.</summary>
    public static PerformanceProfile Profile { get; } = new(MeterName, new Dictionary<string, SnapshotField>
    {
        ["stream_sentinel.console.reads"] = SnapshotField.MessagesIn,
        ["stream_sentinel.console.status_changes"] = SnapshotField.MessagesOut,
    });

    public ConsoleMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _reads = meter.CreateCounter<long>("stream_sentinel.console.reads", "{request}", "Queue pages and alert pages served.");
        _changes = meter.CreateCounter<long>("stream_sentinel.console.status_changes", "{change}", "Alert status changes, per outcome.");
    }

    public void Read() => _reads.Add(1);

    public void StatusChange(string outcome) => _changes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
