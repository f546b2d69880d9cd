using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Persistence.Health;

/// <summary>Ready when the cluster answers a metadata request for the results topic.</summary>
public sealed class KafkaHealthCheck(IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.Value.BootstrapServers }).SetLogHandler((_, _) => { }).Build());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var metadata = _admin.Value.GetMetadata(Topics.DetectionResults, TimeSpan.FromSeconds(2));
            var topic = metadata.Topics.SingleOrDefault();
            return Task.FromResult(topic is { Error.IsError: false }
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Kafka: topic {Topics.DetectionResults} unavailable ({topic?.Error.Reason ?? "missing"})"));
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
