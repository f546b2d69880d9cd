using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Routing;

/// <summary>Which severities become alerts for analysts (section <c>Routing</c>). Every result goes to ClickHouse regardless.</summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";

    /// <summary>Severities that become a <c>fraud_alerts</c> row in PostgreSQL.</summary>
    public IList<Severity> AlertSeverities { get; } = [Severity.Medium, Severity.High, Severity.Critical];
}
