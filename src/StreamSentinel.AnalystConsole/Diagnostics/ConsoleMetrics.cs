using System.Diagnostics.Metrics;
using StreamSentinel.Kafka.Operational;

namespace StreamSentinel.AnalystConsole.Diagnostics;

/// <summary>The console's instruments (meter <c>StreamSentinel.Console</c>), exported on /metrics.</summary>
public sealed class ConsoleMetrics
{
    public const string MeterName = "StreamSentinel.Console";

    private readonly Counter<long> _reads;
    private readonly Counter<long> _changes;
    private readonly Histogram<double> _firstAction;
    private readonly Histogram<double> _resolution;
    private readonly UpDownCounter<long> _liveSubscribers;
    private readonly Counter<long> _liveRefused;
    private readonly Counter<long> _roundRobin;

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
        _liveSubscribers = meter.CreateUpDownCounter<long>(
            "stream_sentinel.console.live_queue.subscribers", "{connection}", "Browsers streaming the live queue from this console now.");
        _liveRefused = meter.CreateCounter<long>(
            "stream_sentinel.console.live_queue.refused", "{connection}", "Live queue streams refused because Console:LiveQueue:MaxConnections were open.");
        _roundRobin = meter.CreateCounter<long>(
            "stream_sentinel.console.round_robin.assigned", "{case}", "New cases given to an analyst by the round-robin (Console:AutoAssign), per analyst.");
        // Minutes to hours: buckets around the SLAs (1 h, 4 h, 24 h by default).
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200] };
        _firstAction = meter.CreateHistogram(
            "stream_sentinel.console.alert.time_to_first_action", "s", "From an alert's creation to the first change of its status, per severity and analyst.", advice: buckets);
        _resolution = meter.CreateHistogram(
            "stream_sentinel.console.alert.time_to_resolution", "s", "From an alert's creation to its verdict (CONFIRMED_FRAUD or FALSE_POSITIVE), per severity and analyst.", advice: buckets);
    }

    /// <summary>A browser opened the live queue's stream.</summary>
    public void LiveQueueJoined() => _liveSubscribers.Add(1);

    /// <summary>A browser's live queue stream ended.</summary>
    public void LiveQueueLeft() => _liveSubscribers.Add(-1);

    /// <summary>A browser was refused the live queue: Console:LiveQueue:MaxConnections were open.</summary>
    public void LiveQueueRefused() => _liveRefused.Add(1);

    /// <summary>An alert left PENDING <paramref name="elapsed"/> after it was created.</summary>
    public void FirstAction(TimeSpan elapsed, string severity, string analyst) =>
        _firstAction.Record(Math.Max(0, elapsed.TotalSeconds), new("severity", severity), new("analyst", analyst));

    /// <summary>An alert got its verdict <paramref name="elapsed"/> after it was created.</summary>
    public void Resolution(TimeSpan elapsed, string severity, string analyst) =>
        _resolution.Record(Math.Max(0, elapsed.TotalSeconds), new("severity", severity), new("analyst", analyst));

    /// <summary>The round-robin gave a new case to <paramref name="analyst"/>.</summary>
    public void RoundRobinAssigned(string analyst) => _roundRobin.Add(1, new KeyValuePair<string, object?>("analyst", analyst));

    public void Read() => _reads.Add(1);

    public void StatusChange(string outcome) => _changes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
