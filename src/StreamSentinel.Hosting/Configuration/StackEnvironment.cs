using Microsoft.Extensions.Configuration;

namespace StreamSentinel.Hosting.Configuration;

/// <summary>
/// The four variables that <c>scripts/stack.sh</c> and docker-compose hand to every process, mapped onto the
/// configuration keys the adapters read. Explicit configuration (appsettings, <c>Section__Key</c> variables,
/// command-line switches) added later wins over them.
/// </summary>
public static class StackEnvironment
{
    public const string Postgres = "SS_POSTGRES";
    public const string ClickHouse = "SS_CLICKHOUSE";
    public const string Redis = "SS_REDIS";
    public const string Kafka = "SS_KAFKA";

    /// <summary>Variable name to configuration key.</summary>
    public static IReadOnlyDictionary<string, string> Keys { get; } = new Dictionary<string, string>
    {
        [Postgres] = "ConnectionStrings:Postgres",
        [ClickHouse] = "ConnectionStrings:ClickHouse",
        [Redis] = "ConnectionStrings:Redis",
        [Kafka] = "Kafka:BootstrapServers",
    };

    public static IConfigurationBuilder AddStackEnvironment(this IConfigurationBuilder builder, Func<string, string?>? getVariable = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        getVariable ??= Environment.GetEnvironmentVariable;
        var values = Keys
            .Select(pair => (pair.Value, Variable: getVariable(pair.Key)))
            .Where(pair => !string.IsNullOrWhiteSpace(pair.Variable))
            .ToDictionary(pair => pair.Value, pair => pair.Variable);
        return builder.AddInMemoryCollection(values);
    }
}
