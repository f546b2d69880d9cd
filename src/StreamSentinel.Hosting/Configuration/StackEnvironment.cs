using Microsoft.Extensions.Configuration;

namespace StreamSentinel.Hosting.Configuration;

/// <summary>
/// The variables that <c>scripts/stack.sh</c> and docker-compose hand to every process, mapped onto the
/// configuration keys the adapters read. Explicit configuration (appsettings, <c>Section__Key</c> variables,
/// command-line switches) added later wins over them.
/// </summary>
public static class StackEnvironment
{
    public const string Postgres = "SS_POSTGRES";
    public const string ClickHouse = "SS_CLICKHOUSE";
    public const string Redis = "SS_REDIS";
    public const string Kafka = "SS_KAFKA";

    /// <summary>The least-privilege accounts' connection strings, which migrate creates the accounts from.</summary>
    public const string PostgresWriter = "SS_POSTGRES_WRITER";

    public const string PostgresAnalyst = "SS_POSTGRES_ANALYST";

    public const string ClickHouseBi = "SS_CLICKHOUSE_BI";

    /// <summary>The persistence workers' ClickHouse account: inserts and the reads recovery needs, no DDL.</summary>
    public const string ClickHouseWriter = "SS_CLICKHOUSE_WRITER";

    /// <summary>The key the console signs audit events with and persistence checks them with (AuditSigning).</summary>
    public const string AuditSigningKeyId = "SS_AUDIT_SIGNING_KEY_ID";

    public const string AuditSigningKey = "SS_AUDIT_SIGNING_KEY";

    /// <summary>
    /// A file that holds the bootstrap servers, for a broker whose ports are known only once it runs (the development
    /// broker under an orchestrator such as Aspire writes it). Read when <see cref="Kafka"/> is not set.
    /// </summary>
    public const string KafkaFile = "SS_KAFKA_FILE";

    /// <summary>The four servers every process may need (what scripts/stack.sh and docker-compose always set).</summary>
    public static IReadOnlyList<string> Servers { get; } = [Postgres, ClickHouse, Redis, Kafka];

    /// <summary>Variable name to configuration key.</summary>
    public static IReadOnlyDictionary<string, string> Keys { get; } = new Dictionary<string, string>
    {
        [Postgres] = "ConnectionStrings:Postgres",
        [ClickHouse] = "ConnectionStrings:ClickHouse",
        [Redis] = "ConnectionStrings:Redis",
        [Kafka] = "Kafka:BootstrapServers",
        [PostgresWriter] = "ConnectionStrings:PostgresWriter",
        [PostgresAnalyst] = "ConnectionStrings:PostgresAnalyst",
        [ClickHouseBi] = "ConnectionStrings:ClickHouseBi",
        [ClickHouseWriter] = "ConnectionStrings:ClickHouseWriter",
        [AuditSigningKeyId] = "AuditSigning:KeyId",
        [AuditSigningKey] = "AuditSigning:Key",
    };

    public static IConfigurationBuilder AddStackEnvironment(this IConfigurationBuilder builder, Func<string, string?>? getVariable = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        getVariable ??= Environment.GetEnvironmentVariable;
        var values = Keys
            .Select(pair => (pair.Value, Variable: getVariable(pair.Key)))
            .Where(pair => !string.IsNullOrWhiteSpace(pair.Variable))
            .ToDictionary(pair => pair.Value, pair => pair.Variable);
        if (!values.ContainsKey(Keys[Kafka]) && getVariable(KafkaFile) is { Length: > 0 } file && File.Exists(file))
        {
            values[Keys[Kafka]] = File.ReadAllText(file).Trim();
        }

        return builder.AddInMemoryCollection(values);
    }
}
