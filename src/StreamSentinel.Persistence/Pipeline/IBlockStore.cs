namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// A store written on two cadences (issue 17): <see cref="IBatchStore{TBatch}.WriteAsync"/> is the fast stage, per poll
/// batch (the results' alerts into PostgreSQL); then the batch joins a <see cref="ResultBlock"/>, written by
/// <see cref="WriteBlockAsync"/> to the slow store (ClickHouse) when it is large or old enough. Offsets are committed
/// only once a block is written, so both stores hold every result before a committed offset.
/// </summary>
public interface IBlockStore<in TBatch>
    where TBatch : class, IHeldBatch
{
    /// <summary>A block is sealed when it holds this many results ...</summary>
    int BlockRows { get; }

    /// <summary>... or when its first batch joined this long ago.</summary>
    TimeSpan BlockAge { get; }

    /// <summary>Adds a batch whose fast stage is done (and whose dead letters are published) to <paramref name="block"/>.</summary>
    void Append(ResultBlock block, TBatch batch);

    /// <summary>Writes a sealed block; safe to call again on the same block after any failure.</summary>
    Task WriteBlockAsync(ResultBlock block, CancellationToken cancellationToken);
}
