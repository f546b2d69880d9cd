using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Detection.Diagnostics;
using StreamSentinel.Detection.Options;
using StreamSentinel.Domain.Detection.State;
using StreamSentinel.Hosting.Resilience;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Kafka.Tracing;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.Pipeline;

/// <summary>
/// One member of the detection consumer group. It keeps the state of the users of the partitions it owns in memory
/// and makes no remote call per transaction: each batch is whatever Kafka has already fetched, applied to the state,
/// scored and published at once (delivery handlers, no wait). Every <see cref="DetectionOptions.CheckpointIntervalMs"/>
/// it cuts a checkpoint (the users changed since the last one and the offsets applied), writes it to Redis once Kafka
/// has acknowledged every result it covers, and only then commits those offsets.
/// </summary>
/// <remarks>
/// Exactly once for the state, at least once for results, with the repeats marked:
/// <list type="bullet">
/// <item>After a crash, the next owner claims the partition in Redis (a new epoch that fences the old owner's
/// checkpoints), restores its users as their payments arrive, and skips every transaction up to the checkpoint's
/// offset: their results were acknowledged before the checkpoint was written.</item>
/// <item>Transactions after the checkpoint are applied again to the state as it was, so they get the same verdicts.
/// Their results may already be on the topic; the checkpoint records how far an owner may publish beyond it, and the
/// successor marks results up to there <see cref="MessageHeaders.MayRepeat"/>.</item>
/// </list>
/// Everything touching the consumer and the state runs on one thread; delivery handlers only count down.
/// </remarks>
public sealed class DetectionWorker(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<DetectionOptions> options,
    IOptions<UserStateOptions> stateOptions,
    StateChangelog changelog,
    Detector detector,
    IProducer<byte[]?, byte[]?> producer,
    DetectionMetrics metrics,
    IOperationalEvents events,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<DetectionWorker> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(10);
    private const long EvictionPeriodMs = 5_000;
    private const string DetectionFailed = "detection_failed";
    private const string InvalidResult = "invalid_result";

    private readonly DetectionOptions _options = options.Value;
    private readonly UserStateLimits _limits = stateOptions.Value.Limits();
    private readonly MessageReader<Transaction> _reader = ContractReaders.Transactions(options.Value.MaxMessageBytes);
    private readonly Dictionary<TopicPartition, OwnedPartition> _owned = [];
    private readonly ConcurrentQueue<FailedDelivery> _failed = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLettered = new();
    private readonly ArrayBufferWriter<byte> _stateBuffer = new(1024);
    private readonly RetryBackoff _redisBackoff = RetryBackoff.FromMilliseconds(options.Value.RetryBaseDelayMs, options.Value.RetryMaxDelayMs);
    private readonly RetryBackoff _kafkaBackoff = RetryBackoff.FromMilliseconds(options.Value.RetryBaseDelayMs, options.Value.RetryMaxDelayMs);
    private DeliveryWindow _window = new();
    private Checkpoint? _checkpoint;
    private int _inFlight;
    private long _nextCheckpointAt;
    private long _redisRetryAt;
    private long _resendAt;
    private long _nextEvictionAt;
    // Written by the consumer thread only; read by the metrics gauge.
    private volatile int _residentUsers;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Consume blocks; give the loop a thread of its own rather than a pool thread the host needs.
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
        metrics.ObserveResidentUsers(() => _residentUsers);
        consumer.Subscribe(Topics.Transactions);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ResendFailed();
                await ClaimAsync(stoppingToken);
                FinishCheckpoint(consumer);
                StartCheckpoint(force: false, stoppingToken);
                Collect(consumer);
                await ApplyAsync(stoppingToken);
                Regulate(consumer);
                Evict();
            }

            // SIGTERM: nothing new is read; what was published is saved and committed, the rest is read again by the next owner.
            var saved = HandOver(consumer, [.. _owned.Values]);
            Log.Stopped(logger, saved);
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

    // Whatever Kafka has already fetched, up to a batch: wait only when there is nothing at all.
    private void Collect(IConsumer<byte[]?, byte[]?> consumer)
    {
        var busy = _checkpoint is not null || !_failed.IsEmpty || _owned.Values.Any(p => p.Backlog.Count > 0);
        var first = Consume(consumer, busy ? BusyPoll : IdlePoll);
        if (first is null)
        {
            return;
        }

        var count = 1;
        Take(first);
        while (count < _options.BatchSize && Consume(consumer, TimeSpan.Zero) is { } next)
        {
            Take(next);
            count++;
        }

        metrics.Consumed(count);

        void Take(ConsumeResult<byte[]?, byte[]?> message)
        {
            metrics.Gaps.Notice(consumer, message, events, _options.ConsumerGroup, _options.Instance, logger);
            if (_owned.TryGetValue(message.TopicPartition, out var partition))
            {
                partition.Backlog.Enqueue(message);
            }
        }
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

    // A partition's state is used only after this worker has claimed it in Redis (and so fenced the previous owner).
    private async Task ClaimAsync(CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < _redisRetryAt)
        {
            return;
        }

        foreach (var partition in _owned.Values.Where(p => p.Claim is null).ToList())
        {
            var started = Stopwatch.GetTimestamp();
            PartitionClaim claim;
            try
            {
                claim = await changelog.ClaimAsync(
                    partition.Partition.Topic, partition.Partition.Partition.Value, _options.Instance, _options.MaxUncheckpointed, cancellationToken);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                RedisFailed("claim", e);
                return;
            }

            metrics.StateCall("claim", Stopwatch.GetElapsedTime(started));
            if (!_owned.TryGetValue(partition.Partition, out var current) || current != partition)
            {
                continue;
            }

            partition.Claim = claim;
            partition.RestoredOffset = partition.Applied = partition.Checkpointed = claim.AppliedOffset;
            partition.Limit = claim.Limit;
            Log.Claimed(logger, partition.Partition.ToString(), claim.Epoch, claim.AppliedOffset, claim.PreviousLimit);
        }

        _redisBackoff.Reset();
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var work = new List<Slice>();
        var budget = _options.MaxInFlight - Volatile.Read(ref _inFlight);
        foreach (var partition in _owned.Values)
        {
            if (partition.Claim is null || partition.Backlog.Count == 0 || budget <= 0)
            {
                continue;
            }

            // Up to the partition's limit: past it, results would outrun what a successor knows may repeat.
            var slice = new Slice(partition);
            foreach (var message in partition.Backlog)
            {
                if (message.Offset.Value > partition.Limit || slice.Messages.Count >= budget)
                {
                    break;
                }

                slice.Add(message, _reader);
            }

            if (slice.Messages.Count > 0)
            {
                work.Add(slice);
                budget -= slice.Messages.Count;
            }
        }

        if (work.Count == 0 || !await LoadUsersAsync(work, cancellationToken))
        {
            return;
        }

        var receivedAt = time.GetUtcNow();
        var applied = 0;
        foreach (var slice in work)
        {
            for (var i = 0; i < slice.Messages.Count; i++)
            {
                slice.Partition.Backlog.Dequeue();
                Apply(slice, i, receivedAt);
            }

            applied += slice.Messages.Count;
        }

        metrics.Batch(applied);
        PublishDeadLetterEvents();
    }

    // Users not in memory are read from Redis, one round trip for the whole batch; a user Redis does not have is new.
    private async Task<bool> LoadUsersAsync(List<Slice> work, CancellationToken cancellationToken)
    {
        var missing = new List<(OwnedPartition Partition, List<string> Users)>();
        foreach (var slice in work)
        {
            HashSet<string>? users = null;
            foreach (var transaction in slice.Transactions)
            {
                if (transaction is not null && !slice.Partition.Users.ContainsKey(transaction.UserId))
                {
                    (users ??= new HashSet<string>(StringComparer.Ordinal)).Add(transaction.UserId);
                }
            }

            if (users is not null)
            {
                missing.Add((slice.Partition, [.. users]));
            }
        }

        if (missing.Count == 0)
        {
            return true;
        }

        if (Environment.TickCount64 < _redisRetryAt)
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        byte[]?[][] stored;
        try
        {
            stored = await Task.WhenAll(missing.Select(m => changelog.LoadAsync(m.Partition.Partition.Topic, m.Partition.Partition.Partition.Value, m.Users, cancellationToken)));
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            RedisFailed("load", e);
            return false;
        }

        metrics.StateCall("load", Stopwatch.GetElapsedTime(started));
        _redisBackoff.Reset();
        var now = Environment.TickCount64;
        var loaded = 0;
        for (var m = 0; m < missing.Count; m++)
        {
            var (partition, users) = missing[m];
            for (var u = 0; u < users.Count; u++)
            {
                partition.Users[users[u]] = new ResidentUser(users[u], Restore(partition, users[u], stored[m][u])) { TouchedAt = now };
                loaded += stored[m][u] is null ? 0 : 1;
            }

            _residentUsers += users.Count;
        }

        metrics.Loaded(loaded);
        return true;
    }

    private UserState Restore(OwnedPartition partition, string user, byte[]? stored)
    {
        if (stored is null)
        {
            return new UserState(_limits);
        }

        try
        {
            return UserState.Read(stored, _limits);
        }
        catch (InvalidDataException e)
        {
            // Unreadable (written by a build with another format): the user starts afresh rather than stalling the partition.
            Log.StateUnreadable(logger, user, partition.Partition.ToString(), e.Message);
            return new UserState(_limits);
        }
    }

    private void Apply(Slice slice, int index, DateTimeOffset receivedAt)
    {
        var (partition, message) = (slice.Partition, slice.Messages[index]);
        var offset = message.Offset.Value;
        partition.Applied = Math.Max(partition.Applied, offset);
        if (offset <= partition.RestoredOffset)
        {
            // In the restored state already, and its result acknowledged before that checkpoint was written.
            metrics.Skipped("restored");
            return;
        }

        if (slice.Transactions[index] is not { } transaction)
        {
            SendDeadLetter(partition, slice.Refused[index]!);
            return;
        }

        // Loaded (or made new) for this batch: LoadUsersAsync ran over the same transactions.
        var user = partition.Users[transaction.UserId];

        var eventKey = StateKeys.Of(transaction.EventId);
        if (user.State.HasApplied(eventKey))
        {
            // The same payment sent twice (a client's retry): its result was published for the first copy.
            metrics.Skipped("duplicate_event");
            return;
        }

        user.TouchedAt = Environment.TickCount64;
        if (!user.Dirty)
        {
            user.Dirty = true;
            partition.Dirty.Add(user);
        }

        // Everything from here to the serialized result depends only on this message and the user's state, so a failure
        // is deterministic (the same after a replay): the message is isolated and dead-lettered with its reason, and the
        // rest of the batch goes on. Only Kafka and Redis failures (outside this method) hold partitions back (issue 18).
        DetectionResult result;
        byte[] value;
        try
        {
            var snapshot = user.State.Apply(transaction, eventKey);
            result = detector.Detect(transaction, snapshot, receivedAt);
            // A result the stores cannot hold (e.g. an hour's amounts past Decimal(18, 4)) would only be refused later by
            // persistence, far from its cause: refuse the transaction here, where the reason is known.
            // The transaction in it passed the same checks when it was read: they (and the SHA-256 of its event id) are not run twice.
            if (ContractValidation.Validate(result, transaction) is { } invalid)
            {
                SendDeadLetter(partition, new DeadLetter(message, InvalidResult, $"its result would be refused: {invalid}"));
                return;
            }

            value = JsonSerializer.SerializeToUtf8Bytes(result, ContractsJsonContext.Default.DetectionResult);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SendDeadLetter(partition, new DeadLetter(message, DetectionFailed, $"{e.GetType().Name}: {e.Message}"));
            return;
        }

        var headers = new Headers();
        if (partition.MayRepeat(offset))
        {
            // An earlier owner may have published this result before it crashed or lost the partition: say so, and
            // let the persistence fleet check it (Kafka transactions would make the repeat impossible; the
            // development broker has none).
            headers.Add(MessageHeaders.MayRepeat, [1]);
        }

        var received = PipelineTracing.Extract(message.Message.Headers);
        using (var activity = PipelineTracing.StartProcess(Topics.Transactions, "detect", received, receivedAt))
        {
            activity?.SetTag("stream_sentinel.event_id", result.EventId);
            activity?.SetTag("stream_sentinel.severity", SeverityNames.Of(result.Severity));
            activity?.SetTag("stream_sentinel.fraud_score", result.FraudScore);
            PipelineTracing.Inject(activity, headers, received);
        }

        // The acknowledgement's handler keeps only what the metrics need, not the result: up to MaxInFlight wait for it.
        var start = transaction.IngestedAt ?? message.Message.Timestamp.UtcDateTime;
        var (severity, score, rules) = (result.Severity, result.FraudScore, result.BusinessRulesTriggered);
        Send(partition, Topics.DetectionResults, new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(result.UserId),
            Value = value,
            Headers = headers.Count > 0 ? headers : null,
        }, () => metrics.Published(severity, score, rules, time.GetUtcNow() - start));
    }

    private void SendDeadLetter(OwnedPartition partition, DeadLetter letter)
    {
        var original = letter.Original;
        Send(partition, Topics.DeadLetters, DeadLetterPublisher.Build(letter, _options.Instance, time.GetUtcNow()), () =>
        {
            metrics.DeadLettered(letter.Reason);
            Log.DeadLettered(logger, original.Topic, original.Partition.Value, original.Offset.Value, letter.Reason, letter.Detail);
            _deadLettered.Enqueue(letter);
        });
    }

    // One audit event per batch of dead letters, not one per message.
    private void PublishDeadLetterEvents()
    {
        if (_deadLettered.IsEmpty)
        {
            return;
        }

        var letters = new List<DeadLetter>();
        while (_deadLettered.TryDequeue(out var letter))
        {
            letters.Add(letter);
        }

        events.DeadLettered(letters);
    }

    private void Send(OwnedPartition partition, string topic, Message<byte[]?, byte[]?> message, Action onAcknowledged)
    {
        var delivery = new FailedDelivery(partition, _window, topic, message, onAcknowledged);
        delivery.Window.Sent();
        partition.Sent();
        Interlocked.Increment(ref _inFlight);
        Produce(delivery);
    }

    private void Produce(FailedDelivery delivery)
    {
        try
        {
            producer.Produce(delivery.Topic, delivery.Message, report => Delivered(delivery, report));
        }
        catch (ProduceException<byte[]?, byte[]?> e) when (!e.Error.IsFatal)
        {
            // The producer's queue is full or it refused the message for now: the same path as a failed delivery.
            Failed(delivery, e.Error);
        }
    }

    // On the producer's delivery thread.
    private void Delivered(FailedDelivery delivery, DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Failed(delivery, report.Error);
            return;
        }

        delivery.OnAcknowledged();
        Done(delivery);
    }

    private void Failed(FailedDelivery delivery, Error error)
    {
        metrics.Retried(error.Code.ToString());
        Log.DeliveryFailed(logger, delivery.Topic, error.Reason);
        _failed.Enqueue(delivery);
    }

    private void Done(FailedDelivery delivery)
    {
        delivery.Partition.Acknowledged();
        delivery.Window.Acknowledged();
        Interlocked.Decrement(ref _inFlight);
    }

    // Failed deliveries are sent again (marked as possible repeats: the broker may have stored the first copy) until
    // Kafka takes them, unless their partition has gone to another owner, who will publish them from its checkpoint.
    private void ResendFailed()
    {
        if (_failed.IsEmpty || Environment.TickCount64 < _resendAt)
        {
            return;
        }

        var count = _failed.Count;
        for (var i = 0; i < count && _failed.TryDequeue(out var delivery); i++)
        {
            if (!_owned.TryGetValue(delivery.Partition.Partition, out var current) || current != delivery.Partition)
            {
                Done(delivery);
                continue;
            }

            if (delivery.Topic == Topics.DetectionResults && delivery.Message.Headers?.TryGetLastBytes(MessageHeaders.MayRepeat, out _) != true)
            {
                delivery.Message.Headers ??= [];
                delivery.Message.Headers.Add(MessageHeaders.MayRepeat, [1]);
            }

            Produce(delivery);
        }

        _resendAt = Environment.TickCount64 + (long)_kafkaBackoff.Next().TotalMilliseconds;
    }

    private void StartCheckpoint(bool force, CancellationToken cancellationToken)
    {
        if (_checkpoint is { } pending)
        {
            if (pending.Writing is null && Environment.TickCount64 >= pending.RetryAt)
            {
                pending.Writing = WriteAsync(pending, cancellationToken);
            }

            return;
        }

        // Due by time, or early when a partition has used half of what it may publish past its last checkpoint.
        if (!force && Environment.TickCount64 < _nextCheckpointAt
            && !_owned.Values.Any(p => p.Claim is not null && p.Applied - p.Checkpointed >= _options.MaxUncheckpointed / 2))
        {
            return;
        }

        _nextCheckpointAt = Environment.TickCount64 + _options.CheckpointIntervalMs;
        var parts = new List<PartitionCheckpoint>();
        foreach (var partition in _owned.Values)
        {
            if (partition.Claim is { } claim && partition.Applied > partition.Checkpointed)
            {
                parts.Add(Cut(partition, claim.Epoch, partition.Dirty));
                partition.Dirty.Clear();
            }
        }

        if (parts.Count == 0)
        {
            return;
        }

        var window = _window;
        _window = new DeliveryWindow();
        _checkpoint = new Checkpoint(window, parts);
        _checkpoint.Writing = WriteAsync(_checkpoint, cancellationToken);
    }

    private PartitionCheckpoint Cut(OwnedPartition partition, long epoch, IEnumerable<ResidentUser> users)
    {
        var written = users.ToList();
        var states = new List<KeyValuePair<string, byte[]>>(written.Count);
        foreach (var user in written)
        {
            _stateBuffer.ResetWrittenCount();
            user.State.Write(_stateBuffer);
            states.Add(new(user.UserId, _stateBuffer.WrittenSpan.ToArray()));
            user.Dirty = false;
            user.Unsaved = true;
        }

        return new PartitionCheckpoint(partition, epoch, partition.Applied, written, states);
    }

    // Off the consumer thread: waits for Kafka's acknowledgements, then writes every partition's part at once.
    private async Task WriteAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        await checkpoint.Window.SealAsync().WaitAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(checkpoint.Partitions.Where(part => !part.Partition.Released).Select(async part =>
        {
            part.NewLimit = await changelog.WriteAsync(
                part.Partition.Partition.Topic, part.Partition.Partition.Partition.Value, part.Epoch, part.Applied, _options.MaxUncheckpointed,
                part.States, cancellationToken);
        }));
        metrics.StateCall("checkpoint", Stopwatch.GetElapsedTime(started));
    }

    private void FinishCheckpoint(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_checkpoint is not { Writing.IsCompleted: true } checkpoint)
        {
            return;
        }

        if (!checkpoint.Writing.IsCompletedSuccessfully)
        {
            // Kept as it is and written again: Redis holds nothing newer, and the partitions' limits stop them from
            // running further ahead meanwhile.
            var error = checkpoint.Writing.Exception?.GetBaseException() ?? new OperationCanceledException();
            checkpoint.Writing = null;
            checkpoint.RetryAt = Environment.TickCount64 + (long)_redisBackoff.Next().TotalMilliseconds;
            metrics.Retried(error.GetType().Name);
            Log.CheckpointFailed(logger, checkpoint.Partitions.Count, _redisBackoff.Attempts, error);
            return;
        }

        _redisBackoff.Reset();
        _checkpoint = null;
        Saved(consumer, checkpoint);
    }

    // A checkpoint is in Redis: its users may leave memory, its partitions publish further, its offsets are committed.
    private void Saved(IConsumer<byte[]?, byte[]?> consumer, Checkpoint checkpoint)
    {
        var offsets = new List<TopicPartitionOffset>(checkpoint.Partitions.Count);
        foreach (var part in checkpoint.Partitions)
        {
            var partition = part.Partition;
            if (partition.Released)
            {
                continue;
            }

            if (part.NewLimit is not { } limit)
            {
                Fenced(consumer, partition);
                continue;
            }

            partition.Limit = limit;
            partition.Checkpointed = Math.Max(partition.Checkpointed, part.Applied);
            foreach (var user in part.Users)
            {
                user.Unsaved = false;
            }

            offsets.Add(new TopicPartitionOffset(partition.Partition, part.Applied + 1));
        }

        Commit(consumer, offsets);
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> offsets)
    {
        // A commit that failed (a rebalance in progress) is made again with the next checkpoint's offsets.
        offsets.AddRange(_owned.Values
            .Where(p => p.Checkpointed >= 0 && p.Committed < p.Checkpointed + 1 && offsets.All(o => o.TopicPartition != p.Partition))
            .Select(p => new TopicPartitionOffset(p.Partition, p.Checkpointed + 1)));
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                if (_owned.TryGetValue(offset.TopicPartition, out var partition))
                {
                    partition.Committed = offset.Offset.Value;
                }
            }
        }
        catch (KafkaException e) when (!e.Error.IsFatal)
        {
            Log.CommitFailed(logger, e.Error.Reason);
        }

        metrics.Lag.Committed(consumer, offsets);
    }

    // Another worker claimed the partition's state: this one is a zombie for it and must not apply or publish more.
    private void Fenced(IConsumer<byte[]?, byte[]?> consumer, OwnedPartition partition)
    {
        Log.Fenced(logger, partition.Partition.ToString());
        Release(partition);
        consumer.Pause([partition.Partition]);
        metrics.Lag.Revoked([partition.Partition]);
    }

    // A partition that cannot take what it has read (not claimed yet, at its limit, Redis away) stops fetching.
    private void Regulate(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var partition in _owned.Values)
        {
            var blocked = partition.Backlog.Count > 0;
            if (blocked != partition.Paused)
            {
                if (blocked)
                {
                    consumer.Pause([partition.Partition]);
                }
                else
                {
                    consumer.Resume([partition.Partition]);
                }

                partition.Paused = blocked;
            }
        }
    }

    // Idle users, and the least recently active beyond the cap, leave memory once Redis holds all they know.
    private void Evict()
    {
        var now = Environment.TickCount64;
        if (now < _nextEvictionAt)
        {
            return;
        }

        _nextEvictionAt = now + EvictionPeriodMs;
        var idleBefore = now - (_options.IdleUserSeconds * 1000L);
        var resident = _owned.Values.Sum(p => p.Users.Count);
        if (resident > _options.MaxResidentUsers)
        {
            var touched = _owned.Values.SelectMany(p => p.Users.Values).Where(u => u.Evictable).Select(u => u.TouchedAt).Order().ToList();
            var excess = Math.Min(touched.Count, resident - _options.MaxResidentUsers);
            if (excess > 0)
            {
                idleBefore = Math.Max(idleBefore, touched[excess - 1] + 1);
            }
        }

        var evicted = 0;
        foreach (var partition in _owned.Values)
        {
            foreach (var user in partition.Users.Values.Where(u => u.Evictable && u.TouchedAt < idleBefore).ToList())
            {
                partition.Users.Remove(user.UserId);
                evicted++;
            }
        }

        if (evicted > 0)
        {
            _residentUsers -= evicted;
            metrics.Evicted(evicted);
        }
    }

    /// <summary>
    /// Before partitions leave (revoke, SIGTERM): waits for the acknowledgements of what was published, writes their
    /// state and commits, so the next owner starts where this one stopped. Runs on the consumer thread, inside Kafka's
    /// synchronous rebalance callback; what cannot be saved in time is left to the next owner's restore.
    /// </summary>
    private string HandOver(IConsumer<byte[]?, byte[]?> consumer, List<OwnedPartition> leaving)
    {
        if (!leaving.Any(p => p.Claim is not null && p.Applied > p.Checkpointed))
        {
            return "nothing to save";
        }

        producer.Flush(HandOverTimeout);
        try
        {
            // The rebalance callback is synchronous: the partitions must be saved before it returns, so it blocks
            // here (on the consumer's own thread; the awaited writes complete on the thread pool).
            if (_checkpoint is { Writing: { } writing })
            {
                writing.WaitAsync(HandOverTimeout).GetAwaiter().GetResult();
                FinishCheckpoint(consumer);
            }

            var ready = leaving.Where(p => p.Claim is not null && p.Applied > p.Checkpointed && p.Outstanding == 0).ToList();
            if (ready.Count == 0)
            {
                return "left to the next owner (results not acknowledged)";
            }

            // Every user not yet saved, those of a checkpoint that failed included: this write stands alone, and the
            // failed checkpoint, if it is tried again, leaves these partitions out (Released).
            var final = new Checkpoint(new DeliveryWindow(), [.. ready.Select(p => Cut(p, p.Claim!.Value.Epoch, p.Users.Values.Where(u => u.Dirty || u.Unsaved)))]);
            foreach (var partition in ready)
            {
                partition.Dirty.Clear();
            }

            WriteAsync(final, CancellationToken.None).WaitAsync(HandOverTimeout).GetAwaiter().GetResult();
            Saved(consumer, final);
            return $"saved {ready.Count} of {leaving.Count} partitions";
        }
        catch (Exception e) when (IsRedisFailure(e) || e is OperationCanceledException)
        {
            Log.HandOverFailed(logger, e);
            return "left to the next owner (Redis did not answer)";
        }
    }

    private void Release(OwnedPartition partition)
    {
        partition.Released = true;
        _owned.Remove(partition.Partition);
        _residentUsers -= partition.Users.Count;
    }

    private void Revoke(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, bool lost)
    {
        var leaving = partitions.Select(p => _owned.GetValueOrDefault(p)).OfType<OwnedPartition>().ToList();
        // A lost partition may already have a new owner: write nothing for it (its epoch would fence us anyway).
        var outcome = lost ? "lost" : HandOver(consumer, leaving);
        var dropped = leaving.Sum(p => p.Backlog.Count);
        foreach (var partition in leaving)
        {
            Release(partition);
        }

        metrics.Lag.Revoked(partitions);
        metrics.Gaps.Revoked(partitions);
        Log.Revoked(logger, Describe(partitions), dropped, outcome);
        events.PartitionsChanged(AuditActions.PartitionsRevoked, _options.ConsumerGroup, _options.Instance, partitions, dropped);
    }

    private void RedisFailed(string operation, Exception e)
    {
        var delay = _redisBackoff.Next();
        _redisRetryAt = Environment.TickCount64 + (long)delay.TotalMilliseconds;
        metrics.Retried(e.GetType().Name);
        Log.RedisFailed(logger, operation, _redisBackoff.Attempts, (int)delay.TotalMilliseconds, e.Message);
    }

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or InvalidOperationException { Source: "StackExchange.Redis" };

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = kafkaOptions.Value.Secure(new ConsumerConfig
        {
            BootstrapServers = kafkaOptions.Value.BootstrapServers,
            ClientId = $"{kafkaOptions.Value.ClientIdPrefix}-detection-{_options.Instance}",
            GroupId = _options.ConsumerGroup,
            GroupProtocol = GroupProtocol.Consumer,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            QueuedMaxMessagesKbytes = 16 * 1024,
            // Latency first: hand over what is there rather than wait for fuller fetches. An empty fetch is answered
            // after this long, so it bounds how long a transaction that arrives just after it waits to be fetched
            // (bench detection at 10,000/s: P50 12-13 ms and P99 27-29 ms with 5, 9-10 and 24-25 ms with 1).
            FetchWaitMaxMs = 1,
            MessageMaxBytes = Math.Max(_options.MaxMessageBytes * 4, 1_000_000),
        });
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                foreach (var partition in partitions)
                {
                    _owned[partition] = new OwnedPartition(partition);
                }

                metrics.Gaps.Assigned(partitions);

                Log.Assigned(logger, Describe(partitions));
                events.PartitionsChanged(AuditActions.PartitionsAssigned, _options.ConsumerGroup, _options.Instance, partitions);
            })
            .SetPartitionsRevokedHandler((c, partitions) => Revoke(c, [.. partitions.Select(p => p.TopicPartition)], lost: false))
            .SetPartitionsLostHandler((c, partitions) => Revoke(c, [.. partitions.Select(p => p.TopicPartition)], lost: true))
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

    private static string Describe(IEnumerable<TopicPartition> partitions) => OperationalEventsExtensions.Describe(partitions);

    /// <summary>A result or dead letter on its way to Kafka, kept so that a failed delivery can be sent again.</summary>
    private sealed record FailedDelivery(OwnedPartition Partition, DeliveryWindow Window, string Topic, Message<byte[]?, byte[]?> Message, Action OnAcknowledged);
}
