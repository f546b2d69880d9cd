using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Routing;

/// <summary>The one place that decides where a result goes: the rule analysts and auditors ask about.</summary>
public sealed class SeverityRouter
{
    private readonly bool[] _isAlert = new bool[(int)Severity.Critical + 1];

    public SeverityRouter(IOptions<RoutingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var severity in options.Value.AlertSeverities)
        {
            _isAlert[(int)severity] = true;
        }
    }

    /// <summary>True when the result becomes an alert in PostgreSQL (and, like every result, goes to ClickHouse).</summary>
    public bool IsAlert(Severity severity) => (int)severity < _isAlert.Length && _isAlert[(int)severity];

    public IEnumerable<Severity> AlertSeverities => Enum.GetValues<Severity>().Where(IsAlert);
}
