using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Hosting.Resilience;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// One member of a persistence consumer group, for one stream (<see cref="IBatchStore{TBatch}"/>: the results, or the
/// operational streams). Collects messages into batches (by size and by time), writes each batch to its stores,
/// dead-letters what they cannot take, and only then commits the batch's offsets. A failed write pauses the
/// partitions and holds the batch (memory stays bounded: the batch held, and the next one read, of at most
/// <see cref="PersistenceOptions.MaxBatchSize"/> messages) until the databases answer.
/// </summary>
/// <remarks>
/// Everything touching the consumer runs on one thread: Kafka's rebalance callbacks run inside Consume. A batch's
/// write (<see cref="IBatchStore{TBatch}.WriteAsync"/>: PostgreSQL for the results) runs on another thread while this
/// one reads and parses the next batch, which starts as soon as the write is in (batches are written one after
/// another, in order, so commits and recorded progress only move forward). A store with two cadences
/// (<see cref="IBlockStore{TBatch}"/>: the results) also has its blocks written on a thread of their own
/// (double-buffered: one block written, one filling). A revoke waits for a write in flight (a batch's or a block's)
/// that touches the revoked partitions, so that their next owner never starts while this worker may still insert
/// their rows.
/// </remarks>
public sealed class PersistenceWorker<TBatch>(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<PersistenceOptions> options,
    IBatchStore<TBatch> store,
    DeadLetterPublisher deadLetters,
    PersistenceMetrics metrics,
    IOperationalEvents events,
    IHostApplicationLifetime lifetime,
    ILogger<PersistenceWorker<TBatch>> logger) : BackgroundService
    where TBatch : class, IHeldBatch
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WriteWatchSlice = TimeSpan.FromMilliseconds(5);

    private readonly PersistenceOptions _options = options.Value;
    // Counts come from the held block or batch (DelayFor), so one policy serves both retry paths.
    private readonly RetryBackoff _backoff = RetryBackoff.FromMilliseconds(options.Value.RetryBaseDelayMs, options.Value.RetryMaxDelayMs);
    private List<ConsumeResult<byte[]?, byte[]?>> _collecting = [];
    // The batch being written (or held for its next attempt after a failure), its write in flight, and the next
    // batch, read and parsed meanwhile.
    private TBatch? _pending;
    private Task? _batchWrite;
    private long _batchRetryAt;
    private TBatch? _next;
    // True while this worker has paused partitions; whatever ends the held batch (success or a revoke) resumes them.
    private bool _pausedByUs;
    private readonly IBlockStore<TBatch>? _blocks = store as IBlockStore<TBatch>;
    // The block filling with written batches, and the sealed one being written (or waiting for its next attempt).
    private ResultBlock? _open;
    private ResultBlock? _sealed;
    private Task? _writing;
    private long _retryAt;
    private long _firstConsumed;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Consume blocks; give the loop a thread of its own rather than a pool thread the host needs.
        Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer();
        Log.Starting(logger, _options.Instance, store.ConsumerGroup, string.Join(", ", store.Topics));
        consumer.Subscribe(store.Topics);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                PumpBlocks(consumer, sealNow: false);
                await PumpBatchAsync(consumer);
                if (_pending is not null && _batchWrite is null)
                {
                    // Held after a failure, partitions paused: wait for its next attempt while serving Kafka.
                    WaitServingKafka(consumer, TimeSpan.FromMilliseconds(Math.Max(0, _batchRetryAt - Environment.TickCount64)), stoppingToken);
                    continue;
                }

                var blocksFull = _open is not null && _sealed is not null && _open.Rows >= _blocks!.BlockRows;
                if (_next is not null && (_next.Messages.Count >= _options.MaxBatchSize || _next.PostgresRows >= _options.MaxBatchPostgresRows || blocksFull))
                {
                    // One batch being written, the next one as large as it may grow: nothing more is read until the write is in.
                    await AwaitAsync(_batchWrite);
                    continue;
                }

                if (blocksFull)
                {
                    // Both buffers full: stop fetching until the block being written is in.
                    WaitForBlockWrite(consumer, stoppingToken);
                    continue;
                }

                // A held batch can vanish in a revoke; the partitions it paused must not stay paused.
                ResumeIfPaused(consumer);
                var messages = Collect(consumer, Math.Min(_options.BatchSize, _options.MaxBatchSize - (_next?.Messages.Count ?? 0)), stoppingToken);
                if (messages.Count == 0)
                {
                    continue;
                }

                var batch = store.Parse(messages);
                batch.FirstConsumedTimestamp = _firstConsumed;
                // The batch owns the list now; a revoke filters it through the store's Without.
                _collecting = [];
                if (_pending is null)
                {
                    _pending = batch;
                }
                else
                {
                    // While the writer is busy the next batch grows (up to MaxBatchSize results and MaxBatchPostgresRows
                    // alerts): PostgreSQL gets fewer transactions for the same alerts, and the consumer goes on reading.
                    _next = _next is null ? batch : store.Merge(_next, batch);
                }
            }

            // SIGTERM: what was collected is written and committed before leaving; the host's shutdown timeout bounds it.
            var outcome = _pending is null && _next is null ? "none pending"
                : await FlushBatchesOnceAsync(consumer) ? "written and committed" : "not written; it will be read again";

            if (_blocks is not null && !await FlushBlocksOnceAsync(consumer))
            {
                outcome = "not written; it will be read again";
            }

            Log.Stopped(logger, outcome);
        }
        catch (KafkaException e) when (e.Error.IsFatal)
        {
            Log.FatalKafkaError(logger, e.Error.Reason);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        finally
        {
            // Leaving the group while a batch or a block is still being inserted would let the next owner start beside it.
            await AwaitAsync(_batchWrite);
            await AwaitAsync(_writing);
            consumer.Close();
        }
    }

    /// <summary>
    /// The two-cadence store's side of the loop: commits a block whose write finished (or schedules its next attempt),
    /// seals the open block when it is large or old enough and no other is being written, and starts writing it.
    /// </summary>
    private void PumpBlocks(IConsumer<byte[]?, byte[]?> consumer, bool sealNow)
    {
        if (_blocks is null)
        {
            return;
        }

        if (_writing is { IsCompleted: true })
        {
            CompleteWrite(consumer);
        }

        if (_sealed is null && _open is { IsEmpty: false } open
            && (sealNow || open.Rows >= _blocks.BlockRows || Stopwatch.GetElapsedTime(open.OpenedTimestamp) >= _blocks.BlockAge))
        {
            _sealed = open;
            _open = null;
            _retryAt = 0;
            metrics.BlockSealed(open.Rows);
        }

        if (_sealed is { } block && _writing is null && Environment.TickCount64 >= _retryAt)
        {
            var blocks = _blocks;
            // Never cancelled half-way: a started insert is finished, so that its outcome is known before a commit or a revoke.
            _writing = Task.Run(() => blocks.WriteBlockAsync(block, CancellationToken.None), CancellationToken.None);
        }
    }

    /// <summary>Takes the outcome of the finished block write: commit, or keep the block for another attempt after a backoff.</summary>
    private void CompleteWrite(IConsumer<byte[]?, byte[]?> consumer)
    {
        var write = _writing!;
        _writing = null;
        var block = _sealed!;
        if (write.IsCompletedSuccessfully)
        {
            _sealed = null;
            CommitOffsets(consumer, block.NextOffsets, block.Messages);
            if (block.Attempts > 0 && metrics.SetPaused(store.Name, false))
            {
                Log.Resumed(logger, store.Name);
            }

            return;
        }

        var error = write.Exception?.GetBaseException() ?? new OperationCanceledException();
        block.Attempts++;
        metrics.Retried(error.GetType().Name);
        var delayMs = (int)_backoff.DelayFor(block.Attempts).TotalMilliseconds;
        if (block.Attempts >= _options.RetryAttempts)
        {
            delayMs = Math.Max(delayMs, _options.PausedRetryIntervalMs);
            if (metrics.SetPaused(store.Name, true))
            {
                Log.Paused(logger, store.Name, block.Messages);
            }
        }

        Log.BlockWriteFailed(logger, block.Rows, block.Attempts, delayMs, error);
        _retryAt = Environment.TickCount64 + delayMs;
    }

    /// <summary>Both blocks are full: pauses fetching and serves Kafka (rebalances) until the block being written is in.</summary>
    private void WaitForBlockWrite(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        consumer.Pause(consumer.Assignment);
        _pausedByUs = true;
        while (_sealed is not null && !stoppingToken.IsCancellationRequested)
        {
            ServeKafka(consumer);
            PumpBlocks(consumer, sealNow: false);
        }
    }

    /// <summary>At shutdown: one attempt for the block being written and one for the open block, each committed if it got in.</summary>
    private async Task<bool> FlushBlocksOnceAsync(IConsumer<byte[]?, byte[]?> consumer)
    {
        for (var round = 0; round < 2 && (_sealed is not null || _open is { IsEmpty: false }); round++)
        {
            _retryAt = 0;
            PumpBlocks(consumer, sealNow: true);
            await AwaitAsync(_writing);
            if (_writing is not null)
            {
                CompleteWrite(consumer);
            }
        }

        return _sealed is null && _open is not { IsEmpty: false };
    }

    /// <summary>Waits for a write in flight, whatever its outcome: the loop takes that outcome afterwards.</summary>
    private static async Task AwaitAsync(Task? write)
    {
        if (write is not null)
        {
            try
            {
                await write;
            }
            catch (Exception) when (!write.IsCompletedSuccessfully)
            {
                // Taken by CompleteWrite or PumpBatchAsync.
            }
        }
    }

    private List<ConsumeResult<byte[]?, byte[]?>> Collect(IConsumer<byte[]?, byte[]?> consumer, int limit, CancellationToken stoppingToken)
    {
        _collecting = new List<ConsumeResult<byte[]?, byte[]?>>(Math.Min(limit, 4096));
        long? deadline = null;
        // With blocks to seal and commit, an idle poll returns after one slice so that the loop can see to them.
        // So does it while a batch is being written, so that its outcome (the commit) is taken without waiting for traffic.
        var idleUntil = _blocks is null && _pending is null ? long.MaxValue : Environment.TickCount64 + (long)PollSlice.TotalMilliseconds;
        long firstConsumed = 0;
        while (_collecting.Count < limit && !stoppingToken.IsCancellationRequested)
        {
            if (deadline is null && Environment.TickCount64 >= idleUntil)
            {
                break;
            }

            // The writer is free: what is already read goes now rather than after the batch's wait (no stop-and-wait).
            if ((_collecting.Count > 0 || _next is not null) && _pending is not null && _batchWrite is { IsCompleted: true })
            {
                break;
            }

            // While a write runs, polls are short so that its end is seen at once, read or not.
            var wait = _batchWrite is { IsCompleted: false } ? WriteWatchSlice : PollSlice;
            if (deadline is { } due)
            {
                var remaining = TimeSpan.FromMilliseconds(due - Environment.TickCount64);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                wait = remaining < wait ? remaining : wait;
            }

            var result = Consume(consumer, wait);
            if (result is null)
            {
                continue;
            }

            metrics.Gaps.Notice(consumer, result, events, store.ConsumerGroup, _options.Instance, logger);
            _collecting.Add(result);
            if (deadline is null)
            {
                deadline = Environment.TickCount64 + _options.BatchWaitMs;
                firstConsumed = Stopwatch.GetTimestamp();
            }
        }

        metrics.Consumed(_collecting.Count);
        _firstConsumed = firstConsumed;
        return _collecting;
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan wait)
    {
        try
        {
            return consumer.Consume(wait);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            Log.ConsumeError(logger, e.Error.Reason);
            return null;
        }
    }

    /// <summary>
    /// The batch side of the loop: takes the outcome of a finished write (dead letters, then the commit or the open
    /// block; or, on failure, a pause and the time of the next attempt), moves the next batch up, and starts a write
    /// when one is due.
    /// </summary>
    private async Task PumpBatchAsync(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_batchWrite is { IsCompleted: true } write)
        {
            _batchWrite = null;
            // Null when a revoke took every partition of the batch: nothing of it is this worker's any more.
            if (_pending is not null)
            {
                if (write.IsCompletedSuccessfully)
                {
                    await CompleteBatchAsync(consumer);
                }
                else
                {
                    BatchFailed(consumer, write.Exception?.GetBaseException() ?? new OperationCanceledException());
                }
            }
        }

        if (_pending is null && _next is not null)
        {
            _pending = _next;
            _next = null;
        }

        if (_pending is { } batch && _batchWrite is null && Environment.TickCount64 >= _batchRetryAt)
        {
            // Never cancelled half-way by SIGTERM: a started write is finished, so that its outcome is known.
            _batchWrite = Task.Run(() => store.WriteAsync(batch, CancellationToken.None), CancellationToken.None);
        }
    }

    /// <summary>The held batch is written: publishes its dead letters, then commits it or hands it to the open block.</summary>
    private async Task CompleteBatchAsync(IConsumer<byte[]?, byte[]?> consumer)
    {
        var batch = _pending!;
        try
        {
            if (!batch.DeadLettersPublished && batch.DeadLetters.Count > 0)
            {
                await deadLetters.PublishAsync(batch.DeadLetters, _options.Instance, CancellationToken.None);
                batch.DeadLettersPublished = true;
                foreach (var letter in batch.DeadLetters)
                {
                    metrics.DeadLettered(letter.Reason);
                    Log.DeadLettered(logger, letter.Original.Topic, letter.Original.Partition.Value, letter.Original.Offset.Value, letter.Reason, letter.Detail);
                }

                events.DeadLettered(batch.DeadLetters);
            }
        }
        catch (Exception e) when (e is not KafkaException { Error.IsFatal: true })
        {
            // Written, but its dead letters are not out: held, and tried again (the write is then a no-op).
            BatchFailed(consumer, e);
            return;
        }

        if (_blocks is not null)
        {
            // The slow store takes it with the open block; its offsets are committed when that block is in.
            _open ??= new ResultBlock();
            _blocks.Append(_open, batch);
            PumpBlocks(consumer, sealNow: false);
        }
        else
        {
            Commit(consumer, batch);
        }

        _pending = null;
        _batchRetryAt = 0;
        ResumeIfPaused(consumer);
    }

    /// <summary>The held batch's write failed: stop fetching at once (the held batches are all the memory a failing database may cost) and wait.</summary>
    private void BatchFailed(IConsumer<byte[]?, byte[]?> consumer, Exception error)
    {
        var batch = _pending!;
        batch.Attempts++;
        metrics.Retried(error.GetType().Name);
        consumer.Pause(consumer.Assignment);
        _pausedByUs = true;
        int delayMs;
        if (batch.Attempts < _options.RetryAttempts)
        {
            delayMs = (int)_backoff.DelayFor(batch.Attempts).TotalMilliseconds;
            Log.WriteFailed(logger, batch.Messages.Count, batch.Attempts, delayMs, error);
        }
        else
        {
            if (metrics.SetPaused(store.Name, true))
            {
                Log.Paused(logger, store.Name, batch.Messages.Count);
            }

            delayMs = _options.PausedRetryIntervalMs;
        }

        _batchRetryAt = Environment.TickCount64 + delayMs;
    }

    /// <summary>At shutdown: one attempt for the held batch and one for the next, each committed (or handed to the open block) if it got in.</summary>
    private async Task<bool> FlushBatchesOnceAsync(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_pending is not null || _next is not null)
        {
            _batchRetryAt = 0;
            await PumpBatchAsync(consumer);
            var write = _batchWrite;
            await AwaitAsync(write);
            if (write is { IsCompletedSuccessfully: false })
            {
                return false;
            }

            await PumpBatchAsync(consumer);
            if (_pending is not null && _batchWrite is null)
            {
                // Its dead letters could not be published.
                return false;
            }
        }

        return true;
    }

    private void ResumeIfPaused(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (!_pausedByUs)
        {
            return;
        }

        consumer.Resume(consumer.Assignment);
        _pausedByUs = false;
        if (metrics.SetPaused(store.Name, false))
        {
            Log.Resumed(logger, store.Name);
        }
    }

    /// <summary>Waits while still polling, so that the group keeps this member and rebalances are served.</summary>
    private void WaitServingKafka(IConsumer<byte[]?, byte[]?> consumer, TimeSpan delay, CancellationToken stoppingToken)
    {
        var until = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        while (Environment.TickCount64 < until && !stoppingToken.IsCancellationRequested && _pending is not null && _batchWrite is null)
        {
            ServeKafka(consumer);
            PumpBlocks(consumer, sealNow: false);
        }
    }

    /// <summary>One poll while paused: serves rebalances; a message of a partition assigned meanwhile is put back.</summary>
    private void ServeKafka(IConsumer<byte[]?, byte[]?> consumer)
    {
        var unexpected = Consume(consumer, PollSlice);
        if (unexpected is not null)
        {
            // A partition assigned during the pause is not paused yet: put the message back and pause it.
            consumer.Seek(unexpected.TopicPartitionOffset);
            consumer.Pause([unexpected.TopicPartition]);
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, TBatch batch) =>
        CommitOffsets(consumer, PartitionLag.NextOffsets(batch.Messages), batch.Messages.Count);

    private void CommitOffsets(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<TopicPartitionOffset> offsets, int messages)
    {
        if (offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
            }
            catch (KafkaException e) when (!e.Error.IsFatal)
            {
                // E.g. a rebalance in progress. Both stores hold the batch, so a replay of it is recognised and skipped.
                Log.CommitFailed(logger, e.Error.Reason);
            }
        }

        metrics.Committed(messages);
        metrics.Lag.Committed(consumer, offsets);
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = kafkaOptions.Value.Secure(new ConsumerConfig
        {
            BootstrapServers = kafkaOptions.Value.BootstrapServers,
            ClientId = $"{kafkaOptions.Value.ClientIdPrefix}-persistence-{store.Name}-{_options.Instance}",
            GroupId = store.ConsumerGroup,
            // KIP-848 groups: incremental assignment, no stop-the-world rebalance when a worker joins or leaves.
            GroupProtocol = GroupProtocol.Consumer,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Bounds the prefetch queue, so that memory stays flat however far behind the group is.
            QueuedMaxMessagesKbytes = 32 * 1024,
            MessageMaxBytes = Math.Max(_options.MaxMessageBytes * 4, 1_000_000),
        });
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                store.Assigned(partitions);
                metrics.Gaps.Assigned(partitions);
                Log.Assigned(logger, Describe(partitions));
                events.PartitionsChanged(AuditActions.PartitionsAssigned, store.ConsumerGroup, _options.Instance, partitions);
            })
            .SetPartitionsRevokedHandler((c, partitions) => Revoke(c, [.. partitions.Select(p => p.TopicPartition)]))
            .SetPartitionsLostHandler((c, partitions) => Revoke(c, [.. partitions.Select(p => p.TopicPartition)]))
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    Log.FatalKafkaError(logger, error.Reason);
                }
            })
            .LogTo(logger)
            .Build();
    }

    private void Revoke(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var dropped = _collecting.RemoveAll(m => partitions.Contains(m.TopicPartition));
        if (_next is not null)
        {
            var kept = store.Without(_next, partitions);
            dropped += _next.Messages.Count - kept.Messages.Count;
            _next = kept.Messages.Count > 0 ? kept : null;
        }

        if (_pending is not null && _pending.Messages.Any(m => partitions.Contains(m.TopicPartition)))
        {
            if (_batchWrite is { IsCompleted: false } batchWrite)
            {
                // As for a block below: the write must be over before the partitions go. Its outcome is taken by the
                // loop, for what stays of the batch (Without carries how far the write got).
                ((IAsyncResult)batchWrite).AsyncWaitHandle.WaitOne();
            }

            var kept = store.Without(_pending, partitions);
            dropped += _pending.Messages.Count - kept.Messages.Count;
            _pending = kept.Messages.Count > 0 ? kept : null;
        }

        if (_writing is { } writing && _sealed!.Touches(partitions))
        {
            // The callback is synchronous, and the partitions go to their next owner when it returns: an insert of their
            // rows still running then could land beside the next owner's. Wait for it (one attempt, on the thread pool).
            ((IAsyncResult)writing).AsyncWaitHandle.WaitOne();
            CompleteWrite(consumer);
        }

        dropped += _sealed?.Drop(partitions) ?? 0;
        dropped += _open?.Drop(partitions) ?? 0;
        if (_sealed is { IsEmpty: true })
        {
            _sealed = null;
        }

        if (_open is { IsEmpty: true })
        {
            _open = null;
        }

        store.Revoked(partitions);
        metrics.Lag.Revoked(partitions);
        metrics.Gaps.Revoked(partitions);

        Log.Revoked(logger, Describe(partitions), dropped);
        events.PartitionsChanged(AuditActions.PartitionsRevoked, store.ConsumerGroup, _options.Instance, partitions, dropped);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) => OperationalEventsExtensions.Describe(partitions);
}
