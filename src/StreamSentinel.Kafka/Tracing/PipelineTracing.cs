using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace StreamSentinel.Kafka.Tracing;

/// <summary>
/// One trace per transaction across the pipeline: the gateway's publish span, detection's span and persistence's
/// span, joined through W3C trace context (<c>traceparent</c>, <c>tracestate</c>) in Kafka message headers.
/// </summary>
/// <remarks>
/// Spans exist only while something listens (OpenTelemetry with an exporter); otherwise <see cref="ActivitySource"/>
/// hands out nothing and the cost is a header lookup. A stage that records no span still passes the context it
/// received on, so that a trace is not cut where one worker does not export.
/// </remarks>
public static class PipelineTracing
{
    public const string SourceName = "StreamSentinel.Pipeline";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>The span of a stage that handles one message it read from <paramref name="topic"/>.</summary>
    public static Activity? StartProcess(string topic, string stage, ActivityContext parent, DateTimeOffset startTime = default) =>
        Source.StartActivity(
            $"{stage} {topic}",
            ActivityKind.Consumer,
            parent,
            [
                new("messaging.system", "kafka"),
                new("messaging.operation.type", "process"),
                new("messaging.destination.name", topic),
            ],
            startTime: startTime);

    /// <summary>The span of publishing one message to <paramref name="topic"/>, as a child of the current span.</summary>
    public static Activity? StartPublish(string topic) =>
        Source.StartActivity(
            $"publish {topic}",
            ActivityKind.Producer,
            Activity.Current?.Context ?? default,
            [
                new("messaging.system", "kafka"),
                new("messaging.operation.type", "send"),
                new("messaging.destination.name", topic),
            ]);

    /// <summary>The trace context a message carries; default when it carries none (or an unreadable one).</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, Read, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>
    /// Writes the context of <paramref name="activity"/> into <paramref name="headers"/>; without one, the context of
    /// <paramref name="received"/> (the message this one follows from), so that the trace goes on past this stage.
    /// </summary>
    public static void Inject(Activity? activity, Headers headers, ActivityContext received = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (activity is not null)
        {
            DistributedContextPropagator.Current.Inject(activity, headers, Write);
        }
        else if (received != default)
        {
            headers.Add("traceparent", Encoding.ASCII.GetBytes(
                $"00-{received.TraceId.ToHexString()}-{received.SpanId.ToHexString()}-{((received.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}"));
            if (!string.IsNullOrEmpty(received.TraceState))
            {
                headers.Add("tracestate", Encoding.ASCII.GetBytes(received.TraceState));
            }
        }
    }

    private static void Read(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        value = carrier is Headers headers && headers.TryGetLastBytes(name, out var bytes) ? Encoding.ASCII.GetString(bytes) : null;
    }

    private static void Write(object? carrier, string name, string value) => ((Headers)carrier!).Add(name, Encoding.ASCII.GetBytes(value));
}
