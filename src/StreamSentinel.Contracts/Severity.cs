using System.Text.Json.Serialization;

namespace StreamSentinel.Contracts;

/// <summary>How urgent a detection result is, from least to most. The numeric order is meaningful.</summary>
public enum Severity
{
    [JsonStringEnumMemberName("MINIMAL")] Minimal = 1,
    [JsonStringEnumMemberName("LOW")] Low = 2,
    [JsonStringEnumMemberName("MEDIUM")] Medium = 3,
    [JsonStringEnumMemberName("HIGH")] High = 4,
    [JsonStringEnumMemberName("CRITICAL")] Critical = 5,
}
