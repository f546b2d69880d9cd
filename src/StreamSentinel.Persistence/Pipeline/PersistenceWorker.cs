using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
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
/// partitions and holds the batch (memory stays bounded by one batch) until the databases answer.
/// </summary>
/// <remarks>
/// Everything touching the consumer runs on one thread: Kafka's rebalance callbacks run inside Consume, between
/// batches or while a held batch waits, never in the middle of a write.
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

    private readonly PersistenceOptions _options = options.Value;
    private List<ConsumeResult<byte[]?, byte[]?>> _collecting = [];
    private TBatch? _pending;
    // True while this worker has paused partitions; whatever ends the held batch (success or a revoke) resumes them.
    private bool _pausedByUs;

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
                if (_pending is null)
                {
                    // A held batch can vanish in a revoke; the partitions it paused must not stay paused.
                    ResumeIfPaused(consumer);
                    var messages = Collect(consumer, stoppingToken);
                    if (messages.Count == 0)
                    {
                        continue;
                    }

                    _pending = store.Parse(messages);
                    // The pending batch owns the list now; a revoke filters it through the store's Without.
                    _collecting = [];
                }

                await TryFlushAsync(consumer, stoppingToken);
            }

            // SIGTERM: what was collected is written and committed before leaving; the host's shutdown timeout bounds it.
            var outcome = "none pending";
            if (_pending is not null)
            {
                outcome = await TryFlushAsync(consumer, CancellationToken.None) ? "written and committed" : "not written; it will be read again";
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
            consumer.Close();
        }
    }

    private List<ConsumeResult<byte[]?, byte[]?>> Collect(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        _collecting = new List<ConsumeResult<byte[]?, byte[]?>>(Math.Min(_options.BatchSize, 4096));
        long? deadline = null;
        while (_collecting.Count < _options.BatchSize && !stoppingToken.IsCancellationRequested)
        {
            var wait = PollSlice;
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

            _collecting.Add(result);
            deadline ??= Environment.TickCount64 + _options.BatchWaitMs;
        }

        metrics.Consumed(_collecting.Count);
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

    /// <summary>Writes, dead-letters and commits the held batch; on failure keeps it, pauses, and waits before the next try.</summary>
    private async Task<bool> TryFlushAsync(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        var batch = _pending!;
        try
        {
            // Writes are never cancelled half-way by SIGTERM: a started batch is finished, then committed.
            await store.WriteAsync(batch, CancellationToken.None);
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

            Commit(consumer, batch);
            _pending = null;
            ResumeIfPaused(consumer);
            return true;
        }
        catch (Exception e) when (e is not KafkaException { Error.IsFatal: true })
        {
            batch.Attempts++;
            metrics.Retried(e.GetType().Name);
            // Stop fetching at once: the held batch is all the memory a failing database may cost.
            consumer.Pause(consumer.Assignment);
            _pausedByUs = true;
            int delayMs;
            if (batch.Attempts < _options.RetryAttempts)
            {
                var backoff = Math.Min(_options.RetryMaxDelayMs, _options.RetryBaseDelayMs * (1 << Math.Min(batch.Attempts - 1, 16)));
                delayMs = (backoff / 2) + Random.Shared.Next((backoff / 2) + 1);
                Log.WriteFailed(logger, batch.Messages.Count, batch.Attempts, delayMs, e);
            }
            else
            {
                if (metrics.SetPaused(store.Name, true))
                {
                    Log.Paused(logger, store.Name, batch.Messages.Count);
                }

                delayMs = _options.PausedRetryIntervalMs;
            }

            WaitServingKafka(consumer, TimeSpan.FromMilliseconds(delayMs), stoppingToken);
            return false;
        }
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
        while (Environment.TickCount64 < until && !stoppingToken.IsCancellationRequested && _pending is not null)
        {
            var unexpected = Consume(consumer, PollSlice);
            if (unexpected is not null)
            {
                // A partition assigned during the pause is not paused yet: put the message back and pause it.
                consumer.Seek(unexpected.TopicPartitionOffset);
                consumer.Pause([unexpected.TopicPartition]);
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, TBatch batch)
    {
        var offsets = PartitionLag.NextOffsets(batch.Messages);
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

        metrics.Committed(batch.Messages.Count);
        metrics.Lag.Committed(consumer, offsets);
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig
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
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                store.Assigned(partitions);
                Log.Assigned(logger, Describe(partitions));
                events.PartitionsChanged(AuditActions.PartitionsAssigned, store.ConsumerGroup, _options.Instance, partitions);
            })
            .SetPartitionsRevokedHandler((_, partitions) => Revoke([.. partitions.Select(p => p.TopicPartition)]))
            .SetPartitionsLostHandler((_, partitions) => Revoke([.. partitions.Select(p => p.TopicPartition)]))
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    Log.FatalKafkaError(logger, error.Reason);
                }
            })
            .SetLogHandler((_, _) => { })
            .Build();
    }

    private void Revoke(List<TopicPartition> partitions)
    {
        var dropped = _collecting.RemoveAll(m => partitions.Contains(m.TopicPartition));
        if (_pending is not null)
        {
            var kept = store.Without(_pending, partitions);
            dropped += _pending.Messages.Count - kept.Messages.Count;
            _pending = kept.Messages.Count > 0 ? kept : null;
        }

        store.Revoked(partitions);
        metrics.Lag.Revoked(partitions);

        Log.Revoked(logger, Describe(partitions), dropped);
        events.PartitionsChanged(AuditActions.PartitionsRevoked, store.ConsumerGroup, _options.Instance, partitions, dropped);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) => OperationalEventsExtensions.Describe(partitions);
}
