using System.Text.Json;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Contracts.Serialization;
using StreamSentinel.Gateway.Authentication;
using StreamSentinel.Gateway.Diagnostics;
using StreamSentinel.Gateway.Endpoints;
using StreamSentinel.Gateway.Intake;
using StreamSentinel.Gateway.Options;
using StreamSentinel.Hosting.DependencyInjection;
using StreamSentinel.Kafka;
using StreamSentinel.Kafka.Diagnostics;
using StreamSentinel.Kafka.Health;
using StreamSentinel.Kafka.Operational;
using StreamSentinel.Kafka.Options;

namespace StreamSentinel.Gateway.DependencyInjection;

public static class GatewayExtensions
{
    /// <summary>The gateway's services: options, bearer authentication, the bounded queue, the producer, health checks, metrics.</summary>
    public static TBuilder AddGateway<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PseudonymisationOptions>().BindConfiguration(PseudonymisationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Pseudonymiser>();
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        // The wire's naming (snake_case, enums by name), so the OpenAPI document's schemas match what clients send and get.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        builder.AddApiDescription(
            "Stream-Sentinel ingestion gateway",
            "Validated intake of payment transactions into Kafka with back-pressure. Authenticate with a bearer token (Gateway:Tokens).");
        builder.Services.AddSingleton(TimeProvider.System);
        // Before the producer: the host stops services in reverse order, and the operational streams must stop last.
        builder.AddOperationalStreams(
            WorkerKinds.Gateway,
            services => services.GetRequiredService<IOptions<GatewayOptions>>().Value.Instance,
            GatewayMetrics.Profile,
            services => OperationalConfiguration.Of(
                [(GatewayOptions.SectionName, services.GetRequiredService<IOptions<GatewayOptions>>().Value)],
                omit: "tokens"));
        builder.Services.AddSingleton(services => ContractReaders.Intake(services.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxItemBytes));
        builder.Services.AddSingleton<IntakeBuffer>();
        builder.Services.AddSingleton<ClientLimits>();
        builder.Services.AddSingleton<IntakeAudit>();
        builder.Services.AddHostedService(services => services.GetRequiredService<IntakeAudit>());
        builder.Services.AddSingleton<IntakeServices>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton(services =>
        {
            var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return new ProducerBuilder<byte[]?, byte[]?>(kafka.Secure(new ProducerConfig
            {
                BootstrapServers = kafka.BootstrapServers,
                ClientId = $"{kafka.ClientIdPrefix}-gateway-{services.GetRequiredService<IOptions<GatewayOptions>>().Value.Instance}",
                EnableIdempotence = true,
                Acks = Acks.All,
                CompressionType = CompressionType.Lz4,
                LingerMs = 5,
                // librdkafka retries with exponential backoff and jitter between these two; past message.timeout.ms
                // the gateway itself produces the transaction again.
                RetryBackoffMs = 100,
                RetryBackoffMaxMs = 2000,
                MessageTimeoutMs = 30_000,
            })).LogTo(services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)).Build();
        });
        builder.Services.AddHostedService<IntakeProducer>();
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(
                "kafka",
                services => new KafkaHealthCheck(services.GetRequiredService<IOptions<KafkaOptions>>().Value, Topics.Transactions, services.GetRequiredService<ILoggerFactory>().CreateLogger(KafkaClientLog.Category)),
                failureStatus: null,
                tags: [ServiceDefaults.ReadyTag]));
        return builder;
    }

    /// <summary>The intake endpoints behind bearer tokens, and the anonymous API description; health and metrics stay anonymous (MapDefaultEndpoints).</summary>
    public static IEndpointRouteBuilder MapGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapApiDescription();
        return app.MapTransactionIntake();
    }
}
