namespace StreamSentinel.Domain.Detection.State;

/// <summary>
/// Counts per key (a device, a country, a merchant...) for at most <see cref="Capacity"/> keys: when a new key finds
/// it full, the key used least recently leaves. Keys are 64-bit hashes (<see cref="StateKeys"/>), so an entry is a
/// fixed 32 bytes whatever the identifier's length.
/// </summary>
public sealed class KeyedCounters(int capacity)
{
    private Entry[] _entries = [];
    private int _length;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>The key's count and when it was first seen, or (0, null) for a key not kept.</summary>
    public (int Count, long? FirstMs) Get(ulong key)
    {
        var i = Find(key);
        return i < 0 ? (0, null) : (_entries[i].Count, _entries[i].FirstMs);
    }

    public void Add(ulong key, long eventMs)
    {
        var i = Find(key);
        if (i >= 0)
        {
            ref var entry = ref _entries[i];
            entry.Count++;
            entry.FirstMs = Math.Min(entry.FirstMs, eventMs);
            entry.LastMs = Math.Max(entry.LastMs, eventMs);
            return;
        }

        if (_length == Capacity)
        {
            var oldest = 0;
            for (var k = 1; k < _length; k++)
            {
                if (_entries[k].LastMs < _entries[oldest].LastMs)
                {
                    oldest = k;
                }
            }

            _entries[oldest] = new Entry { Key = key, Count = 1, FirstMs = eventMs, LastMs = eventMs };
            return;
        }

        if (_length == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Min(Capacity, Math.Max(4, _entries.Length * 2)));
        }

        _entries[_length++] = new Entry { Key = key, Count = 1, FirstMs = eventMs, LastMs = eventMs };
    }

    // The first time as its distance back from the last: usually a few bytes where the time itself takes six.
    internal void Write(ref StateWriter writer)
    {
        writer.WriteVarUInt((ulong)_length);
        for (var i = 0; i < _length; i++)
        {
            writer.WriteULong(_entries[i].Key);
            writer.WriteVarUInt((ulong)_entries[i].Count);
            writer.WriteVarInt(_entries[i].LastMs);
            writer.WriteVarInt(_entries[i].LastMs - _entries[i].FirstMs);
        }
    }

    internal void Read(ref StateReader reader)
    {
        // A state written under a larger capacity keeps its most recent keys.
        var stored = reader.ReadCount(int.MaxValue);
        var all = new Entry[stored];
        for (var i = 0; i < stored; i++)
        {
            var key = reader.ReadULong();
            var count = (int)reader.ReadVarUInt();
            var last = reader.ReadVarInt();
            all[i] = new Entry { Key = key, Count = count, LastMs = last, FirstMs = last - reader.ReadVarInt() };
        }

        if (stored > Capacity)
        {
            Array.Sort(all, (a, b) => b.LastMs.CompareTo(a.LastMs));
            Array.Resize(ref all, Capacity);
        }

        _entries = all;
        _length = all.Length;
    }

    internal int ApproximateBytes => 40 + (_entries.Length * 32);

    private int Find(ulong key)
    {
        for (var i = 0; i < _length; i++)
        {
            if (_entries[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    private struct Entry
    {
        public ulong Key;
        public int Count;
        public long FirstMs;
        public long LastMs;
    }
}
