using HdrHistogram;
using HdrHistogram.Utilities;

namespace StreamSentinel.Hosting.Diagnostics;

/// <summary>
/// Latencies kept as an HdrHistogram: every value counts (no sample), percentiles are within 0.1 % of the truth, and
/// histograms from several intervals or workers add up exactly, so a fleet's percentile is computed, never averaged.
/// Not thread-safe: the owner serialises recording and reading.
/// </summary>
/// <remarks>
/// Values are held in microseconds from 1 µs to <see cref="HighestMicroseconds"/>; a slower value is counted at that
/// bound (and the exact maximum is still reported), because an hour-long "latency" is already an outage.
/// </remarks>
public sealed class LatencyHistogram
{
    /// <summary>One hour, in microseconds.</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    private const int SignificantDigits = 3;

    private readonly LongHistogram _histogram;
    private double _maxMs;

    public LatencyHistogram()
        : this(new LongHistogram(HighestMicroseconds, SignificantDigits), 0)
    {
    }

    private LatencyHistogram(LongHistogram histogram, double maxMs)
    {
        _histogram = histogram;
        _maxMs = maxMs;
    }

    /// <summary>How many values were recorded.</summary>
    public long Count => _histogram.TotalCount;

    /// <summary>The largest value recorded, exactly (0 when empty).</summary>
    public double MaxMilliseconds => _maxMs;

    /// <summary>Records one latency. Negative values (clocks of two machines) count as zero.</summary>
    public void Record(double milliseconds)
    {
        if (double.IsNaN(milliseconds))
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "A latency is a number.");
        }

        var clamped = Math.Max(0, milliseconds);
        _maxMs = Math.Max(_maxMs, clamped);
        _histogram.RecordValue(Math.Clamp((long)Math.Round(clamped * 1000), 1, HighestMicroseconds));
    }

    /// <summary>
    /// The value below or at which <paramref name="percentile"/> % of the recorded values fall (nearest rank, at the
    /// histogram's resolution), in milliseconds; never above the exact maximum. NaN when nothing was recorded.
    /// </summary>
    public double Percentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        return Count == 0 ? double.NaN : Math.Min(_histogram.GetValueAtPercentile(percentile) / 1000.0, _maxMs);
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _histogram.Add(other._histogram);
        _maxMs = Math.Max(_maxMs, other._maxMs);
    }

    /// <summary>A copy, to read while the original goes on recording.</summary>
    public LatencyHistogram Copy() => new((LongHistogram)_histogram.Copy(), _maxMs);

    /// <summary>Forgets every value.</summary>
    public void Reset()
    {
        _histogram.Reset();
        _maxMs = 0;
    }

    /// <summary>
    /// The histogram in HdrHistogram's compressed V2 encoding, base64: what another process decodes with
    /// <see cref="Decode"/> (or any HdrHistogram implementation) to merge fleets' latencies exactly.
    /// </summary>
    public string Encode()
    {
        var buffer = ByteBuffer.Allocate(_histogram.GetNeededByteBufferCapacity());
        var length = _histogram.EncodeIntoCompressedByteBuffer(buffer);
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// Reads what <see cref="Encode"/> wrote, with the exact maximum sent beside it (the encoding keeps only the
    /// maximum's bucket).
    /// </summary>
    /// <exception cref="FormatException">The text is not an encoded histogram.</exception>
    public static LatencyHistogram Decode(string encoded, double maxMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var histogram = new LatencyHistogram();
        try
        {
            // Added into a histogram of this range, so that a foreign one with a wider range is refused, not kept.
            histogram._histogram.Add(HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(encoded)), 0));
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException("Not an HdrHistogram of latencies up to an hour in its compressed encoding.", e);
        }

        histogram._maxMs = Math.Max(0, maxMilliseconds);
        return histogram;
    }
}
