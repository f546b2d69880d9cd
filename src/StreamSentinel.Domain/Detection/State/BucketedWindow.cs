namespace StreamSentinel.Domain.Detection.State;

/// <summary>
/// A sliding window by event time, kept as running counts and sums per time bucket: a payment costs at most one pass
/// over the window's buckets, however many payments the window holds.
/// </summary>
/// <remarks>
/// Only buckets that hold a payment are stored, in ascending order; a window never keeps more than
/// <see cref="Span"/> of them. The window ending at a payment covers the buckets after the one
/// <see cref="Span"/> buckets before its own, so its length is between <c>Span - 1</c> and <c>Span</c> buckets.
/// </remarks>
public sealed class BucketedWindow
{
    private Bucket[] _buckets = [];
    private int _length;

    public BucketedWindow(long resolutionMs, int span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolutionMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        ResolutionMs = resolutionMs;
        Span = span;
    }

    public long ResolutionMs { get; }

    /// <summary>The window's length in buckets.</summary>
    public int Span { get; }

    /// <summary>Buckets that hold at least one payment.</summary>
    public int Buckets => _length;

    /// <summary>Adds a payment. One older than the window of the newest payment is left out: it could never be counted.</summary>
    public void Add(long eventMs, double amount)
    {
        var index = BucketOf(eventMs);
        if (_length > 0 && index <= _buckets[_length - 1].Index - Span)
        {
            return;
        }

        // Payments mostly arrive in event-time order: look from the newest bucket back.
        var i = _length - 1;
        while (i >= 0 && _buckets[i].Index > index)
        {
            i--;
        }

        if (i >= 0 && _buckets[i].Index == index)
        {
            _buckets[i].Count++;
            _buckets[i].Sum += amount;
            return;
        }

        Insert(i + 1, new Bucket { Index = index, Count = 1, Sum = amount });
        var oldest = _buckets[_length - 1].Index - Span;
        var expired = 0;
        while (expired < _length && _buckets[expired].Index <= oldest)
        {
            expired++;
        }

        if (expired > 0)
        {
            Array.Copy(_buckets, expired, _buckets, 0, _length - expired);
            _length -= expired;
        }
    }

    /// <summary>Payments and their sum in the window that ends at <paramref name="eventMs"/>.</summary>
    public (int Count, double Sum) Query(long eventMs)
    {
        var index = BucketOf(eventMs);
        var count = 0;
        var sum = 0.0;
        for (var i = _length - 1; i >= 0 && _buckets[i].Index > index - Span; i--)
        {
            if (_buckets[i].Index <= index)
            {
                count += _buckets[i].Count;
                sum += _buckets[i].Sum;
            }
        }

        return (count, sum);
    }

    // Each bucket's index as the step from the previous one (the first from zero): buckets are ascending and close.
    internal void Write(ref StateWriter writer)
    {
        writer.WriteVarUInt((ulong)_length);
        var previous = 0L;
        for (var i = 0; i < _length; i++)
        {
            writer.WriteVarInt(_buckets[i].Index - previous);
            writer.WriteVarUInt((ulong)_buckets[i].Count);
            writer.WriteDouble(_buckets[i].Sum);
            previous = _buckets[i].Index;
        }
    }

    internal void Read(ref StateReader reader)
    {
        var length = reader.ReadCount(Span);
        _buckets = new Bucket[length];
        var previous = 0L;
        for (var i = 0; i < length; i++)
        {
            previous += reader.ReadVarInt();
            _buckets[i] = new Bucket { Index = previous, Count = (int)reader.ReadVarUInt(), Sum = reader.ReadDouble() };
        }

        _length = length;
    }

    internal int ApproximateBytes => 40 + (_buckets.Length * 24);

    // Floor division: a time before 1970 belongs to the bucket that starts before it, not the one after.
    private long BucketOf(long eventMs) => Math.DivRem(eventMs, ResolutionMs, out var rest) - (rest < 0 ? 1 : 0);

    private void Insert(int at, Bucket bucket)
    {
        if (_length == _buckets.Length)
        {
            // Grow by half (at least 2), never past what the window can hold plus the one being inserted.
            var grown = new Bucket[Math.Min(Span + 1, Math.Max(2, _buckets.Length + (_buckets.Length / 2)))];
            Array.Copy(_buckets, grown, _length);
            _buckets = grown;
        }

        Array.Copy(_buckets, at, _buckets, at + 1, _length - at);
        _buckets[at] = bucket;
        _length++;
    }

    private struct Bucket
    {
        public long Index;
        public int Count;
        public double Sum;
    }
}
