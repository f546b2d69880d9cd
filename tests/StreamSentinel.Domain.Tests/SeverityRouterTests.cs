using Microsoft.Extensions.Options;
using StreamSentinel.Contracts;
using StreamSentinel.Domain.Routing;

namespace StreamSentinel.Domain.Tests;

public sealed class SeverityRouterTests
{
    [TestCase(Severity.Critical, true)]
    [TestCase(Severity.High, true)]
    [TestCase(Severity.Medium, true)]
    [TestCase(Severity.Low, false)]
    [TestCase(Severity.Minimal, false)]
    public void Default_routing_table_sends_medium_and_above_to_postgres(Severity severity, bool isAlert)
    {
        var router = new SeverityRouter(Options.Create(new RoutingOptions()));

        Assert.That(router.IsAlert(severity), Is.EqualTo(isAlert));
    }

    [Test]
    public void Configured_severities_replace_the_default()
    {
        var options = new RoutingOptions();
        options.AlertSeverities.Add(Severity.High);
        options.AlertSeverities.Add(Severity.Critical);

        var router = new SeverityRouter(Options.Create(options));

        Assert.That(router.AlertSeverities, Is.EqualTo(new[] { Severity.High, Severity.Critical }));
    }

    [Test]
    public void Undefined_severity_is_never_an_alert()
    {
        var router = new SeverityRouter(Options.Create(new RoutingOptions()));

        Assert.That(router.IsAlert((Severity)42), Is.False);
    }
}
