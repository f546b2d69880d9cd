using StreamSentinel.Domain.Detection.State;

namespace StreamSentinel.Domain.Tests.Detection.State;

public sealed class BucketedWindowTests
{
    [Test]
    public void A_window_counts_and_sums_its_buckets_back_from_the_queried_time()
    {
        var window = new BucketedWindow(resolutionMs: 1000, span: 60);
        window.Add(0, 1);
        window.Add(500, 2);
        window.Add(30_000, 4);
        window.Add(59_999, 8);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.Query(59_999), Is.EqualTo((4, 15.0)), "everything within the minute");
            Assert.That(window.Query(60_000), Is.EqualTo((2, 12.0)), "the first second's bucket has left");
            Assert.That(window.Query(29_000), Is.EqualTo((2, 3.0)), "later buckets are not counted");
            Assert.That(window.Buckets, Is.EqualTo(3), "two payments in one second share a bucket");
        }
    }

    [Test]
    public void Buckets_older_than_the_newest_payments_window_are_dropped_and_never_grow_past_the_span()
    {
        var window = new BucketedWindow(resolutionMs: 1000, span: 60);
        for (var s = 0; s < 10_000; s++)
        {
            window.Add(s * 1000L, 1);
        }

        window.Add(5_000, 1); // far behind the newest: it could never be counted again

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.Buckets, Is.EqualTo(60));
            Assert.That(window.Query(9_999_000), Is.EqualTo((60, 60.0)));
        }
    }

    [Test]
    public void Times_before_1970_fall_into_the_bucket_that_holds_them()
    {
        var window = new BucketedWindow(resolutionMs: 1000, span: 2);
        window.Add(-1, 1);
        window.Add(-1000, 1);

        Assert.That((window.Buckets, window.Query(-1)), Is.EqualTo((1, (2, 2.0))));
    }
}
