using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Detection.Diagnostics;
using StreamSentinel.Detection.Options;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Kafka.Tracing;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// One member of the detection consumer group. For each batch of transactions: one pipelined Redis update of the
/// users' state, a verdict per transaction, every result published (idempotent producer, acks=all) and acknowledged,
/// and only then the offsets committed. A failure holds the batch, pauses the partitions and tries again.
/// </summary>
/// <remarks>
/// A crash between publishing and committing makes the batch run again: the state store recognises each
/// transaction and returns the snapshot it had, so the features, score and severity are the same ones.
/// </remarks>
public sealed class DetectionWorker(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<DetectionOptions> options,
    UserStateStore state,
    Detector detector,
    IProducer<byte[]?, byte[]?> producer,
    DeadLetterPublisher deadLetters,
    DetectionMetrics metrics,
    IOperationalEvents events,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<DetectionWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly DetectionOptions _options = options.Value;
    private readonly MessageReader<Transaction> _reader = ContractReaders.Transactions(options.Value.MaxMessageBytes);
    private List<ConsumeResult<byte[]?, byte[]?>> _collecting = [];
    private HeldBatch? _held;
    private bool _pausedByUs;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer();
        Log.Starting(logger, _options.Instance, _options.ConsumerGroup, Topics.Transactions, detector.ModelName, detector.ModelVersion);
        events.Audit(AuditActions.ModelLoaded, "model", detector.ModelName, new JsonObject
        {
            ["version"] = detector.ModelVersion,
            ["path"] = _options.ModelPath,
        });
        consumer.Subscribe(Topics.Transactions);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_held is null)
                {
                    ResumeIfPaused(consumer);
                    var messages = Collect(consumer, stoppingToken);
                    if (messages.Count == 0)
                    {
                        continue;
                    }

                    _held = new HeldBatch(messages);
                    // The held batch owns the list now: a revoke must not shorten it in place behind its per-message
                    // arrays (HeldBatch.Without filters it, keeping positions aligned).
                    _collecting = [];
                }

                await TryProcessAsync(consumer, stoppingToken);
            }

            var outcome = "none pending";
            if (_held is not null)
            {
                outcome = await TryProcessAsync(consumer, CancellationToken.None) ? "published and committed" : "not finished; it will be read again";
            }

            producer.Flush(TimeSpan.FromSeconds(10));
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
        _collecting = new List<ConsumeResult<byte[]?, byte[]?>>(_options.BatchSize);
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

    private async Task<bool> TryProcessAsync(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        var batch = _held!;
        try
        {
            // A started batch is finished even during SIGTERM: cancelling half-way would only redo it after restart.
            await ProcessAsync(batch, CancellationToken.None);
            Commit(consumer, batch);
            _held = null;
            ResumeIfPaused(consumer);
            return true;
        }
        catch (Exception e) when (e is not KafkaException { Error.IsFatal: true })
        {
            batch.Attempts++;
            metrics.Retried(e.GetType().Name);
            consumer.Pause(consumer.Assignment);
            _pausedByUs = true;
            var backoff = Math.Min(_options.RetryMaxDelayMs, _options.RetryBaseDelayMs * (1 << Math.Min(batch.Attempts - 1, 16)));
            var delayMs = (backoff / 2) + Random.Shared.Next((backoff / 2) + 1);
            Log.BatchFailed(logger, batch.Messages.Count, batch.Attempts, delayMs, e);
            WaitServingKafka(consumer, TimeSpan.FromMilliseconds(delayMs), stoppingToken);
            return false;
        }
    }

    private async Task ProcessAsync(HeldBatch batch, CancellationToken cancellationToken)
    {
        var messages = batch.Messages;
        if (!batch.Parsed)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (_reader.TryRead(messages[i].Message.Value, out var transaction, out var error))
                {
                    batch.Transactions[i] = transaction;
                }
                else
                {
                    batch.Refused[i] = new DeadLetter(messages[i], error.Code, error.Detail);
                }
            }

            batch.Parsed = true;
        }

        if (batch.Results is null)
        {
            var valid = Enumerable.Range(0, messages.Count).Where(i => batch.Transactions[i] is not null).ToList();
            batch.DetectedFrom = time.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            var snapshots = await state.ApplyAsync([.. valid.Select(i => batch.Transactions[i]!)], cancellationToken);
            metrics.RedisCall(Stopwatch.GetElapsedTime(started));
            var results = new DetectionResult?[messages.Count];
            var receivedAt = time.GetUtcNow();
            for (var k = 0; k < valid.Count; k++)
            {
                results[valid[k]] = detector.Detect(batch.Transactions[valid[k]]!, snapshots[k], receivedAt);
                batch.Redelivered[valid[k]] = snapshots[k].Redelivered;
            }

            batch.Results = results;
            metrics.Batch(messages.Count);
        }

        await PublishAsync(batch, cancellationToken);
    }

    private async Task PublishAsync(HeldBatch batch, CancellationToken cancellationToken)
    {
        var pending = new List<(int Index, Task Delivery)>();
        for (var i = 0; i < batch.Messages.Count; i++)
        {
            if (batch.Acknowledged[i] || batch.Results![i] is not { } result)
            {
                continue;
            }

            var headers = new Headers();
            if (batch.Redelivered[i] || batch.Attempts > 0)
            {
                // A redelivered transaction's result may already be on the topic, and so may one sent by an attempt
                // that failed (a delivery can fail after the broker stored it): say so, and let the persistence fleet
                // check it (Kafka transactions would make the repeat impossible; the development broker has none).
                headers.Add(MessageHeaders.MayRepeat, [1]);
            }

            var received = PipelineTracing.Extract(batch.Messages[i].Message.Headers);
            using (var activity = PipelineTracing.StartProcess(Topics.Transactions, "detect", received, batch.DetectedFrom))
            {
                activity?.SetTag("stream_sentinel.event_id", result.EventId);
                activity?.SetTag("stream_sentinel.severity", SeverityNames.Of(result.Severity));
                activity?.SetTag("stream_sentinel.fraud_score", result.FraudScore);
                PipelineTracing.Inject(activity, headers, received);
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(result.UserId),
                Value = JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult),
                Headers = headers.Count > 0 ? headers : null,
            };
            pending.Add((i, producer.ProduceAsync(Topics.DetectionResults, message, cancellationToken)));
        }

        var letters = Enumerable.Range(0, batch.Messages.Count).Where(i => !batch.Acknowledged[i] && batch.Refused[i] is not null).ToList();
        if (letters.Count > 0)
        {
            pending.Add((-1, deadLetters.PublishAsync([.. letters.Select(i => batch.Refused[i]!)], _options.Instance, cancellationToken)));
        }

        try
        {
            await Task.WhenAll(pending.Select(p => p.Delivery));
        }
        finally
        {
            var now = time.GetUtcNow();
            foreach (var (index, delivery) in pending)
            {
                if (!delivery.IsCompletedSuccessfully)
                {
                    continue;
                }

                if (index >= 0)
                {
                    batch.Acknowledged[index] = true;
                    var result = batch.Results![index]!;
                    var start = result.Transaction?.IngestedAt ?? batch.Messages[index].Message.Timestamp.UtcDateTime;
                    metrics.Published(result, now - start);
                }
                else
                {
                    foreach (var i in letters)
                    {
                        batch.Acknowledged[i] = true;
                        var letter = batch.Refused[i]!;
                        metrics.DeadLettered(letter.Reason);
                        Log.DeadLettered(logger, letter.Original.Topic, letter.Original.Partition.Value, letter.Original.Offset.Value, letter.Reason, letter.Detail);
                    }

                    events.DeadLettered(letters.Select(i => batch.Refused[i]!));
                }
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, HeldBatch batch)
    {
        var offsets = PartitionLag.NextOffsets(batch.Messages);
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException e) when (!e.Error.IsFatal)
        {
            Log.CommitFailed(logger, e.Error.Reason);
        }

        metrics.Lag.Committed(consumer, offsets);
    }

    private void ResumeIfPaused(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_pausedByUs)
        {
            consumer.Resume(consumer.Assignment);
            _pausedByUs = false;
        }
    }

    private void WaitServingKafka(IConsumer<byte[]?, byte[]?> consumer, TimeSpan delay, CancellationToken stoppingToken)
    {
        var until = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        while (Environment.TickCount64 < until && !stoppingToken.IsCancellationRequested && _held is not null)
        {
            var unexpected = Consume(consumer, PollSlice);
            if (unexpected is not null)
            {
                consumer.Seek(unexpected.TopicPartitionOffset);
                consumer.Pause([unexpected.TopicPartition]);
            }
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = kafkaOptions.Value.BootstrapServers,
            ClientId = $"{kafkaOptions.Value.ClientIdPrefix}-detection-{_options.Instance}",
            GroupId = _options.ConsumerGroup,
            GroupProtocol = GroupProtocol.Consumer,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            QueuedMaxMessagesKbytes = 16 * 1024,
            // Latency first: hand over what is there rather than wait for fuller fetches.
            FetchWaitMaxMs = 10,
            MessageMaxBytes = Math.Max(_options.MaxMessageBytes * 4, 1_000_000),
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                Log.Assigned(logger, Describe(partitions));
                events.PartitionsChanged(AuditActions.PartitionsAssigned, _options.ConsumerGroup, _options.Instance, partitions);
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
        var revoked = partitions.ToHashSet();
        var dropped = _collecting.RemoveAll(m => revoked.Contains(m.TopicPartition));
        if (_held is not null)
        {
            var kept = _held.Without(revoked);
            dropped += _held.Messages.Count - kept.Messages.Count;
            _held = kept.Messages.Count > 0 ? kept : null;
        }

        metrics.Lag.Revoked(partitions);

        Log.Revoked(logger, Describe(partitions), dropped);
        events.PartitionsChanged(AuditActions.PartitionsRevoked, _options.ConsumerGroup, _options.Instance, partitions, dropped);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) => OperationalEventsExtensions.Describe(partitions);
}
