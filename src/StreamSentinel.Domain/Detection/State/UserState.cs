using System.Buffers;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection.State;

/// <summary>
/// One user's detection state: windows of recent payments by event time, Welford's running mean and variance of the
/// amounts, the last trusted position, and bounded counts of devices, countries, categories, hours and merchants.
/// </summary>
/// <remarks>
/// Applying a payment costs the same for a user with ten payments a day as for one with a hundred thousand: the
/// windows are buckets (1 s for the minute, 1 min for the hour, 15 min for the day) and every set has a cap.
/// Not thread-safe: a user's state belongs to the one worker thread that owns the user's partition.
/// </remarks>
public sealed class UserState
{
    /// <summary>The stored form's version: the first byte of <see cref="Write"/>'s output.</summary>
    public const byte FormatVersion = 1;

    private readonly UserStateLimits _limits;
    private readonly BucketedWindow _minute = new(1_000, 60);
    private readonly BucketedWindow _hour = new(60_000, 60);
    private readonly BucketedWindow _day = new(900_000, 96);
    private readonly KeyedCounters _devices;
    private readonly KeyedCounters _countries;
    private readonly KeyedCounters _categories;
    private readonly KeyedCounters _merchants;
    private readonly int[] _hours = new int[24];
    private ulong[] _recent = [];
    private int _recentLength;
    private int _recentNext;
    private long _history;
    private double _mean;
    private double _m2;
    private long _lastMs = -1;
    private double _lastLatitude;
    private double _lastLongitude;

    public UserState(UserStateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        _devices = new KeyedCounters(limits.DevicesKept);
        _countries = new KeyedCounters(limits.CountriesKept);
        _categories = new KeyedCounters(limits.CategoriesKept);
        _merchants = new KeyedCounters(limits.MerchantsKept);
    }

    /// <summary>Payments applied, ever.</summary>
    public long History => _history;

    /// <summary>Whether this payment (by the key of its event id) is among the user's latest ones already applied.</summary>
    public bool HasApplied(ulong eventKey) => Array.IndexOf(_recent, eventKey, 0, _recentLength) >= 0;

    /// <summary>Folds the payment in and returns the state just before it (its windows include it).</summary>
    public UserStateSnapshot Apply(Transaction transaction, ulong eventKey)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var eventMs = transaction.EventTime.ToUnixTimeMilliseconds();
        // In the reference currency, so that a history spanning trips abroad adds up.
        var amount = (double)transaction.ReferenceAmount();
        var hour = transaction.EventTime.UtcDateTime.Hour;
        var device = StateKeys.Of(transaction.DeviceId);
        var country = StateKeys.Of(transaction.Country);
        var category = StateKeys.Of(transaction.MerchantCategory);
        var merchant = StateKeys.Of(transaction.MerchantId);

        _minute.Add(eventMs, amount);
        _hour.Add(eventMs, amount);
        _day.Add(eventMs, amount);
        var (count1m, _) = _minute.Query(eventMs);
        var (count1h, sum1h) = _hour.Query(eventMs);
        var (count24h, sum24h) = _day.Query(eventMs);
        var (deviceCount, deviceFirstMs) = _devices.Get(device);
        var snapshot = new UserStateSnapshot
        {
            Count1m = count1m,
            Count1h = count1h,
            Count24h = count24h,
            Sum1h = sum1h,
            Sum24h = sum24h,
            History = (int)Math.Min(_history, int.MaxValue),
            AmountMean = _mean,
            AmountM2 = _m2,
            LastEventMs = _lastMs < 0 ? null : _lastMs,
            LastLatitude = _lastLatitude,
            LastLongitude = _lastLongitude,
            DeviceCount = deviceCount,
            DeviceFirstSeenMs = deviceFirstMs,
            CountryCount = _countries.Get(country).Count,
            CategoryCount = _categories.Get(category).Count,
            HourCount = _hours[hour],
            MerchantKnown = _merchants.Get(merchant).Count > 0,
        };

        // Only a device the user has paid from for a while moves the last known position: a fraudster's burst from a
        // new device far away must not make the cardholder's next payment at home look like impossible travel. A late
        // payment does not move it back in time.
        if (eventMs >= _lastMs && (_history == 0 || (deviceFirstMs is { } first && eventMs - first >= (long)_limits.DeviceTrust.TotalMilliseconds)))
        {
            _lastMs = eventMs;
            _lastLatitude = transaction.Latitude;
            _lastLongitude = transaction.Longitude;
        }

        _history++;
        var delta = amount - _mean;
        _mean += delta / _history;
        _m2 += delta * (amount - _mean);
        _devices.Add(device, eventMs);
        _countries.Add(country, eventMs);
        _categories.Add(category, eventMs);
        _merchants.Add(merchant, eventMs);
        _hours[hour]++;
        Remember(eventKey);
        return snapshot;
    }

    /// <summary>Heap bytes this state holds, roughly: what the worker counts against its memory budget.</summary>
    public int ApproximateBytes =>
        200 + _minute.ApproximateBytes + _hour.ApproximateBytes + _day.ApproximateBytes + _devices.ApproximateBytes
        + _countries.ApproximateBytes + _categories.ApproximateBytes + _merchants.ApproximateBytes + (_recent.Length * 8);

    /// <summary>The stored form: a version byte, then the fields (<see cref="StateWriter"/>).</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var writer = new StateWriter(output);
        writer.WriteByte(FormatVersion);
        writer.WriteVarUInt((ulong)_history);
        writer.WriteDouble(_mean);
        writer.WriteDouble(_m2);
        writer.WriteVarInt(_lastMs);
        writer.WriteDouble(_lastLatitude);
        writer.WriteDouble(_lastLongitude);
        _minute.Write(ref writer);
        _hour.Write(ref writer);
        _day.Write(ref writer);
        _devices.Write(ref writer);
        _countries.Write(ref writer);
        _categories.Write(ref writer);
        _merchants.Write(ref writer);
        foreach (var count in _hours)
        {
            writer.WriteVarUInt((ulong)count);
        }

        // Oldest first, so that reading them back in order keeps the newest under a smaller cap.
        writer.WriteVarUInt((ulong)_recentLength);
        for (var k = 0; k < _recentLength; k++)
        {
            writer.WriteULong(_recent[(_recentNext - _recentLength + k + _recent.Length) % _recent.Length]);
        }
    }

    /// <exception cref="InvalidDataException">The input is not a stored user state of a version this build reads.</exception>
    public static UserState Read(ReadOnlySpan<byte> input, UserStateLimits limits)
    {
        var reader = new StateReader(input);
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"A stored user state has format version {version}; this build reads version {FormatVersion}.");
        }

        var state = new UserState(limits)
        {
            _history = (long)reader.ReadVarUInt(),
            _mean = reader.ReadDouble(),
            _m2 = reader.ReadDouble(),
            _lastMs = reader.ReadVarInt(),
            _lastLatitude = reader.ReadDouble(),
            _lastLongitude = reader.ReadDouble(),
        };
        state._minute.Read(ref reader);
        state._hour.Read(ref reader);
        state._day.Read(ref reader);
        state._devices.Read(ref reader);
        state._countries.Read(ref reader);
        state._categories.Read(ref reader);
        state._merchants.Read(ref reader);
        for (var h = 0; h < state._hours.Length; h++)
        {
            state._hours[h] = (int)reader.ReadVarUInt();
        }

        var recent = reader.ReadCount(int.MaxValue);
        for (var k = 0; k < recent; k++)
        {
            state.Remember(reader.ReadULong());
        }

        if (!reader.End)
        {
            throw new InvalidDataException("A stored user state has bytes after its last field.");
        }

        return state;
    }

    private void Remember(ulong eventKey)
    {
        if (_recentLength < _limits.RecentEventsKept && _recentLength == _recent.Length)
        {
            // Grow up to the cap; once full, the ring overwrites the oldest.
            var grown = new ulong[Math.Min(_limits.RecentEventsKept, Math.Max(4, _recent.Length * 2))];
            Array.Copy(_recent, grown, _recentLength);
            _recent = grown;
            _recentNext = _recentLength;
        }

        _recent[_recentNext] = eventKey;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _recentLength = Math.Min(_recentLength + 1, _recent.Length);
    }
}
