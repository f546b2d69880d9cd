using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamSentinel.Hosting.Diagnostics;

namespace StreamSentinel.IntegrationTests.Diagnostics;

/// <summary>
/// The one percentile helper, against distributions whose quantiles are known in closed form, and the recorder that
/// serves a worker's latencies at /latency.
/// </summary>
public sealed class LatencyHistogramTests
{
    [Test]
    public void Percentiles_of_a_uniform_sequence_are_its_nearest_ranks_within_a_tenth_of_a_percent()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 100_000; i++)
        {
            histogram.Record(i / 100.0); // 0.01 .. 1000 ms
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(histogram.Count, Is.EqualTo(100_000));
            Assert.That(histogram.Percentile(50), Is.EqualTo(500).Within(0.1).Percent);
            Assert.That(histogram.Percentile(99), Is.EqualTo(990).Within(0.1).Percent);
            Assert.That(histogram.Percentile(99.9), Is.EqualTo(999).Within(0.1).Percent);
            Assert.That(histogram.Percentile(100), Is.EqualTo(1000), "never above the exact maximum");
            Assert.That(histogram.MaxMilliseconds, Is.EqualTo(1000));
        }
    }

    [Test]
    public void Percentiles_of_an_exponential_distribution_match_its_quantile_function()
    {
        // Exponential with mean 20 ms: the q-quantile is -20 ln(1 - q). Two million draws put the sample's quantiles
        // within a fraction of a percent of the true ones, the histogram adds at most 0.1 %.
        const double mean = 20;
        var random = new Random(1234);
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 2_000_000; i++)
        {
            histogram.Record(-mean * Math.Log(1 - random.NextDouble()));
        }

        using (Assert.EnterMultipleScope())
        {
            foreach (var q in new[] { 0.5, 0.9, 0.99, 0.999 })
            {
                Assert.That(histogram.Percentile(q * 100), Is.EqualTo(-mean * Math.Log(1 - q)).Within(1).Percent, $"quantile {q}");
            }
        }
    }

    [Test]
    public void Two_workers_histograms_add_up_to_the_histogram_of_all_their_values_through_the_encoding()
    {
        // A fast worker and a slow one: the fleet's median is between them, which no average of percentiles gives.
        var fast = new LatencyHistogram();
        var slow = new LatencyHistogram();
        var all = new LatencyHistogram();
        var random = new Random(7);
        for (var i = 0; i < 50_000; i++)
        {
            var a = 1 + (random.NextDouble() * 9);
            var b = 100 + (random.NextDouble() * 900);
            fast.Record(a);
            slow.Record(b);
            all.Record(a);
            all.Record(b);
        }

        var merged = LatencyHistogram.Decode(fast.Encode(), fast.MaxMilliseconds);
        merged.Add(LatencyHistogram.Decode(slow.Encode(), slow.MaxMilliseconds));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(merged.Count, Is.EqualTo(all.Count));
            Assert.That(merged.MaxMilliseconds, Is.EqualTo(all.MaxMilliseconds));
            foreach (var p in new[] { 10, 50, 75, 99, 99.9 })
            {
                Assert.That(merged.Percentile(p), Is.EqualTo(all.Percentile(p)), $"P{p}");
            }

            Assert.That(merged.Percentile(50), Is.InRange(10, 100), "half the values are at most 10 ms, half at least 100 ms");
        }
    }

    [Test]
    public void Values_beyond_an_hour_count_at_the_bound_and_the_maximum_stays_exact_and_garbage_is_refused()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(7_200_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(histogram.Count, Is.EqualTo(2));
            Assert.That(histogram.MaxMilliseconds, Is.EqualTo(7_200_000));
            Assert.That(histogram.Percentile(100), Is.EqualTo(LatencyHistogram.HighestMicroseconds / 1000.0).Within(0.1).Percent);
            Assert.That(histogram.Percentile(0), Is.LessThan(0.01), "a negative latency (two clocks) counts as zero");
            Assert.That(new LatencyHistogram().Percentile(50), Is.NaN, "no value, no percentile");
            Assert.That(() => histogram.Record(double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => LatencyHistogram.Decode("bm90IGEgaGlzdG9ncmFt", 1), Throws.InstanceOf<FormatException>());
            Assert.That(() => LatencyHistogram.Decode("%%%", 1), Throws.InstanceOf<FormatException>());
        }
    }

    [Test]
    public void The_recorder_keeps_this_hosts_durations_per_instrument_and_table_and_nothing_else()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var recorder = new LatencyRecorder(factory, ["Test.Worker"]);
        var meter = factory.Create("Test.Worker");
        var flush = meter.CreateHistogram<double>("flush.duration", "s");
        var sizes = meter.CreateHistogram<double>("batch.size", "{message}");
        var other = factory.Create("Test.Other").CreateHistogram<double>("other.duration", "s");
        using var strangers = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var stranger = strangers.GetRequiredService<IMeterFactory>().Create("Test.Worker").CreateHistogram<double>("flush.duration", "s");

        for (var i = 1; i <= 100; i++)
        {
            flush.Record(i / 1000.0, new KeyValuePair<string, object?>("db.collection.name", "detection_results"));
            flush.Record(0.5, new KeyValuePair<string, object?>("db.collection.name", "fraud_alerts"));
        }

        sizes.Record(5000);
        other.Record(1);
        stranger.Record(1);

        var readings = recorder.Read();
        var json = JsonSerializer.Serialize(new LatencyReport(readings), LatencyJsonContext.Default.LatencyReport);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(readings.Select(r => (r.Instrument, r.Collection, r.Count)), Is.EqualTo(new[]
            {
                ("flush.duration", (string?)"detection_results", 100L),
                ("flush.duration", "fraud_alerts", 100L),
            }));
            Assert.That(readings[0].P50Ms, Is.EqualTo(50).Within(0.1).Percent);
            Assert.That(readings[0].MaxMs, Is.EqualTo(100));
            Assert.That(readings[0].Decode().Percentile(99), Is.EqualTo(99).Within(0.1).Percent, "the encoding carries every value");
            Assert.That(readings[1].P99Ms, Is.EqualTo(500).Within(0.1).Percent);
            Assert.That(json, Does.Contain("\"p50_ms\":").And.Contain("\"histogram\":\"").And.Contain("\"collection\":\"fraud_alerts\""));
        }
    }
}
