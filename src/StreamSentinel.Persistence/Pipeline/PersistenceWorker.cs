using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Domain.Persistence;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Options;

namespace StreamSentinel.Persistence.Pipeline;

/// <summary>
/// One member of the persistence consumer group. Collects results into batches (by size and by time), writes each
/// batch to both stores, dead-letters what it cannot store, and only then commits the batch's offsets. A failed
/// write pauses the partitions and holds the batch (memory stays bounded by one batch) until the databases answer.
/// </summary>
/// <remarks>
/// Everything touching the consumer runs on one thread: Kafka's rebalance callbacks run inside Consume, between
/// batches or while a held batch waits, never in the middle of a write.
/// </remarks>
public sealed class PersistenceWorker(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<PersistenceOptions> options,
    SeverityRouter router,
    BatchWriter writer,
    DeadLetterPublisher deadLetters,
    PersistenceMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<PersistenceWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly PersistenceOptions _options = options.Value;
    private readonly MessageReader<DetectionResult> _reader = ContractReaders.DetectionResults(options.Value.MaxMessageBytes);
    private List<ConsumeResult<byte[]?, byte[]?>> _collecting = [];
    private PendingBatch? _pending;
    // True while this worker has paused partitions; whatever ends the held batch (success or a revoke) resumes them.
    private bool _pausedByUs;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Consume blocks; give the loop a thread of its own rather than a pool thread the host needs.
        Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer();
        Log.Starting(logger, _options.Instance, _options.ConsumerGroup, Topics.DetectionResults);
        consumer.Subscribe(Topics.DetectionResults);
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

                    _pending = Parse(messages);
                    // The pending batch owns the list now; a revoke filters it through PendingBatch.Without.
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

    private PendingBatch Parse(List<ConsumeResult<byte[]?, byte[]?>> messages)
    {
        var batch = new PendingBatch(messages);
        foreach (var message in messages)
        {
            if (_reader.TryRead(message.Message.Value, out var result, out var error))
            {
                var source = new KafkaCoordinates(message.Topic, message.Partition.Value, message.Offset.Value);
                var mayRepeat = message.Message.Headers?.TryGetLastBytes(MessageHeaders.MayRepeat, out _) == true;
                batch.Results.Add(new PersistableResult(result, source, router.IsAlert(result.Severity), mayRepeat));
            }
            else
            {
                batch.DeadLetters.Add(new DeadLetter(message, error.Code, error.Detail));
            }
        }

        return batch;
    }

    /// <summary>Writes, dead-letters and commits the held batch; on failure keeps it, pauses, and waits before the next try.</summary>
    private async Task<bool> TryFlushAsync(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        var batch = _pending!;
        try
        {
            // Writes are never cancelled half-way by SIGTERM: a started batch is finished, then committed.
            await writer.WriteAsync(batch, CancellationToken.None);
            if (!batch.DeadLettersPublished && batch.DeadLetters.Count > 0)
            {
                await deadLetters.PublishAsync(batch.DeadLetters, _options.Instance, CancellationToken.None);
                batch.DeadLettersPublished = true;
                foreach (var letter in batch.DeadLetters)
                {
                    metrics.DeadLettered(letter.Reason);
                    Log.DeadLettered(logger, letter.Original.Topic, letter.Original.Partition.Value, letter.Original.Offset.Value, letter.Reason, letter.Detail);
                }
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
                if (!metrics.Paused)
                {
                    metrics.Paused = true;
                    Log.Paused(logger, batch.Messages.Count);
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
        if (metrics.Paused)
        {
            metrics.Paused = false;
            Log.Resumed(logger);
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

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, PendingBatch batch)
    {
        var offsets = batch.CommitOffsets();
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
        foreach (var partition in offsets)
        {
            var watermarks = consumer.GetWatermarkOffsets(partition.TopicPartition);
            if (watermarks.High != Offset.Unset)
            {
                metrics.Lag(partition.Topic, partition.Partition.Value, Math.Max(0, watermarks.High.Value - partition.Offset.Value));
            }
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = kafkaOptions.Value.BootstrapServers,
            ClientId = $"{kafkaOptions.Value.ClientIdPrefix}-persistence-{_options.Instance}",
            GroupId = _options.ConsumerGroup,
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
                writer.Assigned(partitions.Select(p => (p.Topic, p.Partition.Value)));
                Log.Assigned(logger, Describe(partitions));
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
            var kept = _pending.Without(partitions);
            dropped += _pending.Messages.Count - kept.Messages.Count;
            _pending = kept.Messages.Count > 0 ? kept : null;
        }

        writer.Revoked(partitions.Select(p => (p.Topic, p.Partition.Value)));
        foreach (var partition in partitions)
        {
            metrics.Unassigned(partition.Topic, partition.Partition.Value);
        }

        Log.Revoked(logger, Describe(partitions), dropped);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.GroupBy(p => p.Topic).Select(g => $"{g.Key}[{string.Join(',', g.Select(p => p.Partition.Value).Order())}]"));
}
