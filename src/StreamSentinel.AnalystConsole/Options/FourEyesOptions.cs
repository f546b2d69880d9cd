namespace StreamSentinel.AnalystConsole.Options;

/// <summary>
/// Four-eyes on verdicts (section <c>Console:FourEyes</c>, issue 19): when enabled, CONFIRMED_FRAUD (and, if
/// <see cref="FalsePositiveOnCritical"/>, FALSE_POSITIVE on a CRITICAL alert) is a proposal that a second analyst
/// approves before it takes effect. Off by default so that a console without two analysts still works.
/// </summary>
public sealed class FourEyesOptions
{
    public const string SectionName = "Console:FourEyes";

    public bool Enabled { get; set; }

    public bool FalsePositiveOnCritical { get; set; } = true;

    /// <summary>Whether moving an alert of <paramref name="severity"/> to <paramref name="status"/> needs a second analyst.</summary>
    public bool Requires(string status, string severity) =>
        Enabled && (status == "CONFIRMED_FRAUD" || (FalsePositiveOnCritical && status == "FALSE_POSITIVE" && severity == "CRITICAL"));
}
