using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamSentinel.ClickHouse.DependencyInjection;
using StreamSentinel.ClickHouse.Persistence;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Routing;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Health;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Persistence.Diagnostics;
using StreamSentinel.Persistence.Health;
using StreamSentinel.Persistence.Options;
using StreamSentinel.Persistence.Pipeline;
using StreamSentinel.PostgreSql.DependencyInjection;
using StreamSentinel.PostgreSql.Persistence;

namespace StreamSentinel.Persistence.DependencyInjection;

public static class PersistenceExtensions
{
    /// <summary>The persistence worker with everything it needs: Kafka, both databases, routing, health checks, metrics.</summary>
    public static TBuilder AddPersistenceWorker<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPersistenceCore();
        // The key the console's audit events are checked with (and this worker's own are signed with).
        builder.AddAuditSigning();
        // Before the workers: the host stops services in reverse order, and the operational streams must stop last.
        builder.AddOperationalStreams(
            WorkerKinds.Persistence,
            services => services.GetRequiredService<IOptions<PersistenceOptions>>().Value.Instance,
            PersistenceMetrics.Profile,
            services => OperationalConfiguration.Of(
            [
                (PersistenceOptions.SectionName, services.GetRequiredService<IOptions<PersistenceOptions>>().Value),
                (RoutingOptions.SectionName, services.GetRequiredService<IOptions<RoutingOptions>>().Value),
            ]));
        builder.Services.AddSingleton(services => new AlertWriter(
            services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<IOptions<PersistenceOptions>>().Value.CaseWindowMinutes));
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddSingleton<ResultWriter>();
        builder.Services.AddSingleton<PerformanceWriter>();
        builder.Services.AddSingleton<VerdictWriter>();
        builder.Services.AddSingleton<PersistenceMetrics>();
        builder.Services.AddSingleton<BatchWriter>();
        // One producer per process, for dead letters. Every publish is awaited before the batch is committed, so nothing
        // is pending when the host stops; the timeout keeps a dead broker from blocking a batch past the poll interval.
        builder.Services.AddSingleton(services => new ProducerBuilder<byte[]?, byte[]?>(services.GetRequiredService<IOptions<KafkaOptions>>().Value.Secure(new ProducerConfig
        {
            BootstrapServers = services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers,
            ClientId = $"{services.GetRequiredService<IOptions<KafkaOptions>>().Value.ClientIdPrefix}-dlq-{services.GetRequiredService<IOptions<PersistenceOptions>>().Value.Instance}",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
        })).LogTo(services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)).Build());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DeadLetterPublisher>();
        builder.Services.AddSingleton<IBatchStore<PendingBatch>, ResultStore>();
        builder.Services.AddSingleton<IBatchStore<OperationalBatch>, OperationalStore>();
        builder.Services.AddHostedService<PersistenceWorker<PendingBatch>>();
        builder.Services.AddHostedService<PersistenceWorker<OperationalBatch>>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(
                "kafka",
                services => new KafkaHealthCheck(services.GetRequiredService<IOptions<KafkaOptions>>().Value, Topics.DetectionResults, services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)),
                failureStatus: null,
                tags: [ServiceDefaults.ReadyTag]))
            .AddCheck<StoresHealthCheck>("stores", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }

    /// <summary>What both the worker and <c>verify</c> need: settings, routing, and the two databases.</summary>
    public static TBuilder AddPersistenceCore<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The alert writer's staging table lives as long as its connection (AlertWriter); nothing else sets session state.
        builder.AddPostgres(keepSessionState: true).AddClickHouse();
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<SeverityRouter>();
        builder.Services.AddSingleton<Verification.IntegrityVerifier>();
        return builder;
    }
}
