using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Kafka.Operational;

/// <summary>
/// Publishes this worker's audit events and performance snapshots. Never blocks the caller: messages wait in a
/// bounded buffer for a producer of their own; what the buffer or Kafka cannot take is dropped and counted (the
/// count travels in the next snapshot and on /metrics).
/// </summary>
/// <remarks>
/// The producer is not idempotent on purpose: every message carries its own id and the persistence fleet stores each
/// id once, so a retried send costs nothing, while an idempotent producer turns a long Kafka outage into a fatal error.
/// </remarks>
public sealed class OperationalPublisher : IDisposable
{
    public const string MeterName = "StreamSentinel.Operational";

    private readonly Channel<Outgoing> _buffer;
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer;
    private readonly Counter<long> _published;
    private readonly Counter<long> _droppedCounter;
    private readonly TimeProvider _time;
    private readonly AuditSignature? _signature;
    private long _droppedSinceSnapshot;

    public OperationalPublisher(
        IOptions<KafkaOptions> kafka, IOptions<OperationalOptions> options, WorkerIdentity worker, IMeterFactory meterFactory, TimeProvider time,
        ILogger<OperationalPublisher> logger, AuditSignature? signature = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        Worker = worker ?? throw new ArgumentNullException(nameof(worker));
        _time = time;
        // Registered where events must be believed (the console, AddAuditSigning): every audit event is then signed.
        _signature = signature;
        _buffer = System.Threading.Channels.Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _producer = new(() => new ProducerBuilder<byte[]?, byte[]?>(kafka.Value.Secure(new ProducerConfig
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            ClientId = $"{kafka.Value.ClientIdPrefix}-{worker.Kind}-operational-{worker.Instance}",
            Acks = Acks.All,
            LingerMs = 100,
            CompressionType = CompressionType.Lz4,
            MessageTimeoutMs = options.Value.MessageTimeoutMs,
            QueueBufferingMaxMessages = options.Value.BufferCapacity,
        })).LogTo(logger).Build());
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("stream_sentinel.operational.published", "{message}", "Audit events and snapshots Kafka acknowledged, per topic.");
        _droppedCounter = meter.CreateCounter<long>("stream_sentinel.operational.dropped", "{message}", "Audit events and snapshots dropped because Kafka could not take them, per topic.");
    }

    public WorkerIdentity Worker { get; }

    /// <summary>Records an audit event of this worker. Returns false if it had to be dropped.</summary>
    public bool Audit(string action, string entityType, string entityId, JsonObject? details = null) =>
        Publish(new AuditEvent
        {
            EventId = Guid.CreateVersion7(),
            OccurredAt = _time.GetUtcNow(),
            Actor = Worker.Actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Details = details ?? [],
        });

    /// <summary>Publishes an audit event as it is (its own id and actor). Returns false if it had to be dropped.</summary>
    public bool Publish(AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var value = JsonSerializer.SerializeToUtf8Bytes(audit, ContractsJsonContext.Default.AuditEvent);
        return Enqueue(Topics.AuditEvents, audit.Actor, value, _signature?.Sign(value));
    }

    public bool Publish(PerformanceSnapshot snapshot) =>
        Enqueue(Topics.PerformanceMetrics, snapshot.WorkerId, JsonSerializer.SerializeToUtf8Bytes(snapshot, ContractsJsonContext.Default.PerformanceSnapshot));

    /// <summary>Drops counted since the last call (the number the next snapshot reports).</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _droppedSinceSnapshot, 0);

    /// <summary>Hands buffered messages to Kafka until <see cref="Complete"/> is called and the buffer is empty.</summary>
    public async Task PumpAsync(CancellationToken cancellationToken)
    {
        await foreach (var (topic, message) in _buffer.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                _producer.Value.Produce(topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        Dropped(topic);
                    }
                    else
                    {
                        _published.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", topic));
                    }
                });
            }
            catch (ProduceException<byte[]?, byte[]?>)
            {
                // The producer's own queue is full (Kafka has been away a while): drop rather than wait.
                Dropped(topic);
            }
        }
    }

    /// <summary>No more messages will be accepted; <see cref="PumpAsync"/> ends once the buffer is empty.</summary>
    public void Complete() => _buffer.Writer.TryComplete();

    /// <summary>Waits up to <paramref name="timeout"/> for Kafka to acknowledge what was handed over; returns how many were not.</summary>
    public int Flush(TimeSpan timeout) => _producer.IsValueCreated ? _producer.Value.Flush(timeout) : 0;

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }
    }

    private bool Enqueue(string topic, string key, byte[] value, Headers? headers = null)
    {
        if (_buffer.Writer.TryWrite(new Outgoing(topic, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value, Headers = headers })))
        {
            return true;
        }

        Dropped(topic);
        return false;
    }

    private void Dropped(string topic)
    {
        Interlocked.Increment(ref _droppedSinceSnapshot);
        _droppedCounter.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", topic));
    }

    private sealed record Outgoing(string Topic, Message<byte[]?, byte[]?> Message);
}
