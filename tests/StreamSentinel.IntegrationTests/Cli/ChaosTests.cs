using StreamSentinel.IntegrationTests.Infrastructure;

namespace StreamSentinel.IntegrationTests.Cli;

/// <summary>A small run of <c>stream-sentinel chaos</c>: the full suite is the same command with its defaults.</summary>
public sealed class ChaosTests
{
    // Not the outage scenario: it stops the servers every other test of this run uses.
    [Test]
    public async Task Crashes_a_rebalance_storm_and_poison_lose_and_double_nothing()
    {
        var result = await Infrastructure.Cli.RunAsync(
            TestServers.Current.Environment(), "chaos", "--transactions", "10000", "--disruptions", "3", "--poison", "440", "--seed", "11",
            "--scenario", "kill", "rebalance", "poison");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString);
            Assert.That(result.Output, Does.Contain("Chaos: OK"));
            foreach (var scenario in new[] { "kill", "rebalance", "poison" })
            {
                Assert.That(result.Output, Does.Match($@"(?m)^\s*{scenario}\s+\d+\s+[\d,]+\s+0\s+0\s+0\s+.*ok"), scenario);
            }

            Assert.That(result.Output, Does.Contain("220 of 220 poison transactions dead-lettered"));
        }
    }
}
