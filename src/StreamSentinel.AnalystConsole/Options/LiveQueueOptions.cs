using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.AnalystConsole.Options;

/// <summary>
/// The live queue (section <c>Console:LiveQueue</c>, issue 19): how many browsers one console instance streams alert
/// news to at once (each holds a connection open; more are refused with 503), and how often an idle stream gets a
/// heartbeat so that proxies and the browser keep it open.
/// </summary>
public sealed class LiveQueueOptions
{
    public const string SectionName = "Console:LiveQueue";

    [Range(1, 10_000)]
    public int MaxConnections { get; set; } = 200;

    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Events one slow browser may have waiting before the oldest are dropped (it is told to reload then).</summary>
    [Range(1, 10_000)]
    public int BufferedEvents { get; set; } = 64;
}
