namespace StreamSentinel.Contracts;

/// <summary>The wire and database names of <see cref="Severity"/> (MINIMAL … CRITICAL), without reflection.</summary>
public static class SeverityNames
{
    public static string Of(Severity severity) => severity switch
    {
        Severity.Minimal => "MINIMAL",
        Severity.Low => "LOW",
        Severity.Medium => "MEDIUM",
        Severity.High => "HIGH",
        Severity.Critical => "CRITICAL",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };
}
