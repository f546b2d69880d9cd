namespace StreamSentinel.AnalystConsole.LiveQueue;

/// <summary>
/// One Server-Sent Event of the live queue: <c>alerts</c> with the notification's JSON (kind, count, ids), or
/// <c>resync</c> when a browser may have missed news (the listener reconnected, or the browser fell behind) and
/// should reload what it shows.
/// </summary>
public sealed record LiveQueueEvent(string Name, string Data)
{
    public static LiveQueueEvent Resync { get; } = new("resync", "{}");
}
