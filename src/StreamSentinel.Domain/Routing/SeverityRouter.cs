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
        var configured = options.Value.AlertSeverities;
        foreach (var severity in configured.Count > 0 ? (IEnumerable<Severity>)configured : RoutingOptions.DefaultAlertSeverities)
        {
            _isAlert[(int)severity] = true;
        }
    }

    /// <summary>True when the result becomes an alert in PostgreSQL (and, like every result, goes to ClickHouse).</summary>
    public bool IsAlert(Severity severity) => (int)severity < _isAlert.Length && _isAlert[(int)severity];

    public IEnumerable<Severity> AlertSeverities => Enum.GetValues<Severity>().Where(IsAlert);
}
