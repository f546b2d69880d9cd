using System.ComponentModel.DataAnnotations;

namespace StreamSentinel.Hosting.Resilience;

/// <summary>
/// Exponential backoff with "equal jitter" (half of each delay fixed, half random) for loops that must keep serving
/// Kafka while they wait, so they cannot hand the wait to a blocking retry pipeline. <see cref="Next"/> counts the
/// failures of one loop (not thread-safe); <see cref="DelayFor"/> serves callers that count attempts themselves
/// (thread-safe with the default random source).
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _max;
    private readonly Random _random;

    public RetryBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        _base = baseDelay;
        _max = maxDelay;
        _random = random ?? Random.Shared;
    }

    /// <summary>The policy of a worker's options, in milliseconds (validated there by <see cref="Validate"/>).</summary>
    public static RetryBackoff FromMilliseconds(int baseDelayMs, int maxDelayMs) =>
        new(TimeSpan.FromMilliseconds(baseDelayMs), TimeSpan.FromMilliseconds(maxDelayMs));

    /// <summary>
    /// What is wrong with a base and a cap read from configuration, naming the settings (<paramref name="section"/>:…),
    /// or nothing; options classes return it from <see cref="IValidatableObject.Validate"/> so that a bad pair fails at
    /// start with the setting's name (exit code 2) rather than as an exception when the worker is built.
    /// </summary>
    public static IEnumerable<ValidationResult> Validate(string section, int baseDelayMs, int maxDelayMs)
    {
        if (baseDelayMs < 1)
        {
            yield return new ValidationResult($"{section}:RetryBaseDelayMs must be at least 1 (it is {baseDelayMs}).", ["RetryBaseDelayMs"]);
        }

        if (maxDelayMs < baseDelayMs)
        {
            yield return new ValidationResult(
                $"{section}:RetryMaxDelayMs ({maxDelayMs}) must not be below {section}:RetryBaseDelayMs ({baseDelayMs}).", ["RetryMaxDelayMs"]);
        }
    }

    /// <summary>Failures since the last success.</summary>
    public int Attempts { get; private set; }

    /// <summary>The delay before the next attempt after one more failure: base × 2^(failures − 1), capped, then jittered.</summary>
    public TimeSpan Next() => DelayFor(++Attempts);

    /// <summary>The delay before attempt <paramref name="failures"/> + 1: base × 2^(failures − 1), capped, then jittered.</summary>
    public TimeSpan DelayFor(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var ceiling = Math.Min(_max.TotalMilliseconds, _base.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (_random.NextDouble() * ceiling / 2));
    }

    public void Reset() => Attempts = 0;
}
