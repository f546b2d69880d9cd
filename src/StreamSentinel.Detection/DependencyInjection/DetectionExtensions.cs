using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Detection.Diagnostics;
using StreamSentinel.Detection.Model;
using StreamSentinel.Detection.Options;
using StreamSentinel.Detection.Pipeline;
using StreamSentinel.Domain.Detection;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Health;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;
using StreamSentinel.Redis.DependencyInjection;
using StreamSentinel.Redis.Health;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.Detection.DependencyInjection;

public static class DetectionExtensions
{
    /// <summary>The detection worker: Kafka in and out, the state's changelog in Redis, rules, model, health checks and metrics.</summary>
    public static TBuilder AddDetectionWorker<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDetectionCore();
        builder.AddRedis();
        builder.Services.AddSingleton<StateChangelog>();
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Before the worker: the host stops services in reverse order, and the operational streams must stop last.
        builder.AddOperationalStreams(
            WorkerKinds.Detection,
            services => services.GetRequiredService<IOptions<DetectionOptions>>().Value.Instance,
            DetectionMetrics.Profile,
            services => OperationalConfiguration.Of(
            [
                (DetectionOptions.SectionName, services.GetRequiredService<IOptions<DetectionOptions>>().Value),
                (RuleOptions.SectionName, services.GetRequiredService<IOptions<RuleOptions>>().Value),
                (SeverityThresholds.SectionName, services.GetRequiredService<IOptions<SeverityThresholds>>().Value),
                (UserStateOptions.SectionName, services.GetRequiredService<IOptions<UserStateOptions>>().Value),
            ]));
        builder.Services.AddSingleton<DetectionMetrics>();
        // One producer per process for results and dead letters: idempotent with acks=all, so a retried send is
        // written once per partition; every delivery is acknowledged before the checkpoint that covers it is written.
        builder.Services.AddSingleton(services =>
        {
            var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return new ProducerBuilder<byte[]?, byte[]?>(kafka.Secure(new ProducerConfig
            {
                BootstrapServers = kafka.BootstrapServers,
                ClientId = $"{kafka.ClientIdPrefix}-detection-{services.GetRequiredService<IOptions<DetectionOptions>>().Value.Instance}",
                EnableIdempotence = true,
                Acks = Acks.All,
                LingerMs = 2,
                CompressionType = CompressionType.Lz4,
                MessageTimeoutMs = 60_000,
                // Above what the worker lets be in flight (Detection:MaxInFlight), so a send is never refused for room.
                QueueBufferingMaxMessages = 1_100_000,
            })).LogTo(services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)).Build();
        });
        builder.Services.AddSingleton<DeadLetterPublisher>();
        builder.Services.AddHostedService<DetectionWorker>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(
                "kafka",
                services => new KafkaHealthCheck(services.GetRequiredService<IOptions<KafkaOptions>>().Value, Topics.Transactions, services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)),
                failureStatus: null,
                tags: [ServiceDefaults.ReadyTag]))
            .AddCheck<RedisHealthCheck>("redis", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }

    /// <summary>What the worker, <c>train</c> and <c>evaluate</c> share: the state's options, rules, thresholds and the model.</summary>
    public static TBuilder AddDetectionCore<TBuilder>(this TBuilder builder, bool withModel = true)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RuleOptions>().BindConfiguration(RuleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SeverityThresholds>().BindConfiguration(SeverityThresholds.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<UserStateOptions>().BindConfiguration(UserStateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => new BusinessRules(services.GetRequiredService<IOptions<RuleOptions>>().Value));
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<SeverityThresholds>>().Value);
        builder.Services.AddSingleton(TimeProvider.System);
        if (withModel)
        {
            builder.Services.AddSingleton(services => FraudModel.Load(services.GetRequiredService<IOptions<DetectionOptions>>().Value.ModelPath));
            builder.Services.AddSingleton<Detector>();
        }

        return builder;
    }
}
