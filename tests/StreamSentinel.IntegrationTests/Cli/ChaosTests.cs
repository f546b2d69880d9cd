using System.Globalization;
using System.Text.RegularExpressions;
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
            TestServers.Current.Environment(), TimeSpan.FromMinutes(8), "chaos", "--transactions", "10000", "--disruptions", "3", "--poison", "440", "--seed", "11",
            "--scenario", "kill", "rebalance", "poison");

        // Each kill -9, as chaos counted it before the replacement started: results stored so far and the lag of the group
        // the victim belonged to.
        var kills = Regex.Matches(result.Output, @"kill \d+: a (?:detection|persistence) worker, with ([\d,]+) of 10,000 results stored and its group's lag ([\d,]+)")
            .Select(m => (Stored: Number(m.Groups[1].Value), Lag: Number(m.Groups[2].Value)))
            .ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString);
            Assert.That(result.Output, Does.Contain("Chaos: OK"));
            // scenario, disruptions, events (transactions, plus 220 poison transactions and 220 poison results), lost, duplicated, misrouted
            Assert.That(result.Output, Does.Match(@"(?m)^\s*kill\s+3\s+10,000\s+0\s+0\s+0\s+.*ok"));
            Assert.That(result.Output, Does.Match(@"(?m)^\s*rebalance\s+3\s+10,000\s+0\s+0\s+0\s+.*ok"));
            Assert.That(result.Output, Does.Match(@"(?m)^\s*poison\s+0\s+10,440\s+0\s+0\s+0\s+.*ok"));
            Assert.That(result.Output, Does.Contain("220 of 220 poison transactions dead-lettered"));
            Assert.That(kills, Has.Count.EqualTo(3), result.ToString);
            Assert.That(kills, Has.All.Matches<(long Stored, long Lag)>(k => k.Stored > 0 && k.Stored < 10_000 && k.Lag > 0), "every kill -9 landed mid-work:\n" + result);
        }
    }

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
}
