using StreamSentinel.Hosting.Diagnostics;

namespace StreamSentinel.IntegrationTests.Diagnostics;

/// <summary>The reader the fleet's own tools use on /metrics, on exposition text as the OpenTelemetry exporter writes it.</summary>
public sealed class PrometheusTextTests
{
    private const string WorkerA = """
        # TYPE stream_sentinel_persistence_flush_duration_seconds histogram
        stream_sentinel_persistence_flush_duration_seconds_bucket{db_collection_name="detection_results",db_system="clickhouse",le="0.1"} 3 1733300000000
        stream_sentinel_persistence_flush_duration_seconds_sum{db_collection_name="detection_results",db_system="clickhouse"} 0.25 1733300000000
        stream_sentinel_persistence_flush_duration_seconds_count{db_collection_name="detection_results",db_system="clickhouse"} 4 1733300000000
        stream_sentinel_persistence_flush_duration_seconds_sum{db_collection_name="fraud_alerts",db_system="postgres"} 1.5 1733300000000
        stream_sentinel_persistence_flush_duration_seconds_count{db_collection_name="fraud_alerts",db_system="postgres"} 2 1733300000000
        # TYPE messaging_kafka_consumer_lag gauge
        messaging_kafka_consumer_lag{messaging_destination_name="detection-results",partition="0",note="a \"quoted\" \\ back\nslash"} 17
        messaging_kafka_consumer_lag{messaging_destination_name="detection-results",partition="1"} 3e2
        messaging_kafka_consumer_lag{partition="2"} NaN-ish
        """;

    private const string WorkerB = """
        stream_sentinel_persistence_flush_duration_seconds_sum{db_collection_name="detection_results",db_system="clickhouse"} 0.75
        stream_sentinel_persistence_flush_duration_seconds_count{db_collection_name="detection_results",db_system="clickhouse"} 6
        """;

    [Test]
    public void Sums_and_counts_add_up_over_workers_for_the_series_the_filter_selects()
    {
        const string flush = "stream_sentinel_persistence_flush_duration_seconds";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PrometheusText.Sum([WorkerA, WorkerB], flush, "db_system=\"clickhouse\""), Is.EqualTo(1.0));
            Assert.That(PrometheusText.Count([WorkerA, WorkerB], flush, "db_system=\"clickhouse\""), Is.EqualTo(10));
            Assert.That(PrometheusText.Sum([WorkerA, WorkerB], flush, ""), Is.EqualTo(2.5), "no filter: every series");
            Assert.That(PrometheusText.Count([WorkerA], flush, "db_collection_name=\"fraud_alerts\""), Is.EqualTo(2));
            Assert.That(PrometheusText.Sum([WorkerA], "no_such_histogram", ""), Is.Zero);
        }
    }

    [Test]
    public void Samples_carry_their_unescaped_labels_and_a_value_that_is_not_a_number_is_skipped()
    {
        var samples = PrometheusText.Samples(WorkerA, "messaging_kafka_consumer_lag");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(samples.Select(s => s.Value), Is.EqualTo(new[] { 17.0, 300.0 }));
            Assert.That(samples[0].Labels["note"], Is.EqualTo("a \"quoted\" \\ back\nslash"));
            Assert.That(samples[1].Labels["partition"], Is.EqualTo("1"));
            Assert.That(PrometheusText.Samples(WorkerA, "messaging_kafka_consumer"), Is.Empty, "a name is matched whole, not as a prefix");
        }
    }
}
