using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Routing;

/// <summary>Which severities become alerts for analysts (section <c>Routing</c>). Every result goes to ClickHouse regardless.</summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";

    /// <summary>The design's rule: MEDIUM and above become alerts; LOW and MINIMAL are analysed in ClickHouse only.</summary>
    public static IReadOnlyList<Severity> DefaultAlertSeverities { get; } = [Severity.Medium, Severity.High, Severity.Critical];

    /// <summary>Severities that become a <c>fraud_alerts</c> row in PostgreSQL; empty means <see cref="DefaultAlertSeverities"/>.</summary>
    /// <remarks>Empty by default because configuration binding appends to a list rather than replacing it.</remarks>
    public IList<Severity> AlertSeverities { get; } = [];
}
