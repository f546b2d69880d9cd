using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.AnalystConsole.Options;

/// <summary>
/// How long an open alert of each severity may wait for a decision (section <c>Console:Sla</c>, issue 19): an alert
/// is due at its creation plus its severity's time, a case at its oldest open alert plus its worst severity's time.
/// </summary>
public sealed class SlaOptions
{
    public const string SectionName = "Console:Sla";

    [Range(1, 30 * 24 * 60)]
    public int CriticalMinutes { get; set; } = 60;

    [Range(1, 30 * 24 * 60)]
    public int HighMinutes { get; set; } = 4 * 60;

    [Range(1, 30 * 24 * 60)]
    public int MediumMinutes { get; set; } = 24 * 60;

    [Range(1, 30 * 24 * 60)]
    public int LowMinutes { get; set; } = 3 * 24 * 60;

    [Range(1, 30 * 24 * 60)]
    public int MinimalMinutes { get; set; } = 7 * 24 * 60;

    /// <summary>The time an alert of <paramref name="severity"/> may stay open.</summary>
    public TimeSpan For(string severity) => TimeSpan.FromMinutes(severity switch
    {
        "CRITICAL" => CriticalMinutes,
        "HIGH" => HighMinutes,
        "MEDIUM" => MediumMinutes,
        "LOW" => LowMinutes,
        _ => MinimalMinutes,
    });
}
