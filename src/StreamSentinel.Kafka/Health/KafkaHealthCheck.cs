using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Kafka.Health;

/// <summary>Ready when the cluster answers a metadata request for the topic the worker consumes.</summary>
public sealed class KafkaHealthCheck(KafkaOptions options, string topic, ILogger logger) : IHealthCheck, IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() =>
        new AdminClientBuilder(options.Secure(new AdminClientConfig { BootstrapServers = options.BootstrapServers })).LogTo(logger).Build());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var metadata = _admin.Value.GetMetadata(topic, TimeSpan.FromSeconds(2));
            var found = metadata.Topics.SingleOrDefault();
            return Task.FromResult(found is { Error.IsError: false }
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Kafka: topic {topic} unavailable ({found?.Error.Reason ?? "missing"})"));
        }
        catch (KafkaException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Kafka: {e.Error.Reason}"));
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
