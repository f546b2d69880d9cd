namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// Every result and dead letter handed to the producer between two checkpoints. A checkpoint seals the window and
/// waits until Kafka acknowledged all of them: only then may Redis record their transactions as applied.
/// </summary>
/// <remarks>Counted down from the producer's delivery thread, sealed from the consumer's.</remarks>
internal sealed class DeliveryWindow
{
    private readonly TaskCompletionSource _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;
    private int _sealed;

    public void Sent() => Interlocked.Increment(ref _outstanding);

    /// <summary>One delivery acknowledged (or given up with its partition).</summary>
    public void Acknowledged()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _sealed) == 1)
        {
            _acknowledged.TrySetResult();
        }
    }

    /// <summary>No more sends; completes when every one sent is acknowledged.</summary>
    public Task SealAsync()
    {
        Volatile.Write(ref _sealed, 1);
        if (Volatile.Read(ref _outstanding) == 0)
        {
            _acknowledged.TrySetResult();
        }

        return _acknowledged.Task;
    }
}
