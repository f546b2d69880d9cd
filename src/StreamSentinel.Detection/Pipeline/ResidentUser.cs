using StreamSentinel.Domain.Detection.State;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>A user's state in this worker's memory, with what is not yet safe in Redis.</summary>
internal sealed class ResidentUser(string userId, UserState state)
{
    public string UserId { get; } = userId;

    public UserState State { get; } = state;

    /// <summary>Changed since the last checkpoint was cut: the next one writes it.</summary>
    public bool Dirty { get; set; }

    /// <summary>In the checkpoint being written: Redis does not hold its latest state until that checkpoint succeeds.</summary>
    public bool Unsaved { get; set; }

    /// <summary><see cref="Environment.TickCount64"/> of its latest payment: idle users leave memory first.</summary>
    public long TouchedAt { get; set; }

    /// <summary>Redis holds everything it knows: it may leave memory and be read back when it pays again.</summary>
    public bool Evictable => !Dirty && !Unsaved;
}
