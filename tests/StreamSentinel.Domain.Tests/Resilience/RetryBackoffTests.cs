using StreamSentinel.Hosting.Resilience;

namespace StreamSentinel.Domain.Tests.Resilience;

public sealed class RetryBackoffTests
{
    [Test]
    public void Delays_double_from_the_base_up_to_the_cap_each_between_half_and_all_of_its_ceiling()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(3));

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        double[] ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];

        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < ceilings.Length; i++)
            {
                Assert.That(delays[i], Is.InRange(ceilings[i] / 2, ceilings[i]), $"failure {i + 1}");
            }

            Assert.That(backoff.Attempts, Is.EqualTo(8));
        }
    }

    [Test]
    public void A_success_starts_the_delays_again_from_the_base()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        var delay = backoff.Next();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(backoff.Attempts, Is.EqualTo(1));
            Assert.That(delay.TotalMilliseconds, Is.InRange(50, 100));
        }
    }

    [Test]
    public void Jitter_spreads_the_delays_of_many_retries_over_the_upper_half()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(1000), new Random(7));

        var delays = Enumerable.Range(0, 10_000).Select(_ => backoff.DelayFor(1).TotalMilliseconds).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delays.Min(), Is.InRange(500, 510));
            Assert.That(delays.Max(), Is.InRange(990, 1000));
            Assert.That(delays.Average(), Is.EqualTo(750).Within(10));
        }
    }

    [Test]
    public void Settings_that_cannot_work_are_refused()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new RetryBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new RetryBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)).DelayFor(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public void Any_number_of_failures_stays_within_the_cap()
    {
        var backoff = RetryBackoff.FromMilliseconds(200, 5000);

        var delays = new[] { 30, 31, 64, 1_000, int.MaxValue }.Select(failures => backoff.DelayFor(failures).TotalMilliseconds).ToList();

        Assert.That(delays, Has.All.InRange(2500, 5000));
    }

    [Test]
    public void Configured_delays_are_refused_with_the_settings_names()
    {
        var good = RetryBackoff.Validate("Persistence", 200, 5000).ToList();
        var capBelowBase = RetryBackoff.Validate("Persistence", 500, 100).Select(r => r.ErrorMessage).ToList();
        var noBase = RetryBackoff.Validate("Detection", 0, 100).Select(r => r.ErrorMessage).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(good, Is.Empty);
            Assert.That(capBelowBase, Is.EqualTo(new[] { "Persistence:RetryMaxDelayMs (100) must not be below Persistence:RetryBaseDelayMs (500)." }));
            Assert.That(noBase, Is.EqualTo(new[] { "Detection:RetryBaseDelayMs must be at least 1 (it is 0)." }));
        }
    }
}
