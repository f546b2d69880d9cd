using System.ComponentModel.DataAnnotations;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection;

/// <summary>Where a fraud score becomes each severity (section <c>Detection:Thresholds</c>); each bound is inclusive.</summary>
public sealed class SeverityThresholds : IValidatableObject
{
    public const string SectionName = "Detection:Thresholds";

    [Range(0, 1)]
    public double Critical { get; set; } = 0.9;

    [Range(0, 1)]
    public double High { get; set; } = 0.75;

    [Range(0, 1)]
    public double Medium { get; set; } = 0.5;

    [Range(0, 1)]
    public double Low { get; set; } = 0.25;

    public Severity Classify(double score) =>
        score >= Critical ? Severity.Critical
        : score >= High ? Severity.High
        : score >= Medium ? Severity.Medium
        : score >= Low ? Severity.Low
        : Severity.Minimal;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(Low <= Medium && Medium <= High && High <= Critical))
        {
            yield return new ValidationResult(
                "Detection:Thresholds must rise: Low <= Medium <= High <= Critical.", [nameof(Low), nameof(Medium), nameof(High), nameof(Critical)]);
        }
    }
}
