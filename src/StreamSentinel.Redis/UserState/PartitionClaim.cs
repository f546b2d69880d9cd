namespace StreamSentinel.Redis.UserState;

/// <summary>What a new owner of a partition's state learns when it takes the partition over.</summary>
/// <param name="Epoch">The owner's epoch: its checkpoints are accepted until another owner claims the partition.</param>
/// <param name="AppliedOffset">The last transaction the stored state holds (-1: none); every result up to it is published.</param>
/// <param name="PreviousLimit">The highest offset an earlier owner may have published a result for (-1: none).</param>
/// <param name="Limit">The highest offset this owner may publish a result for before its next checkpoint.</param>
public readonly record struct PartitionClaim(long Epoch, long AppliedOffset, long PreviousLimit, long Limit);
