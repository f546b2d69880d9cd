-- The fleet's own performance: one row per performance snapshot (topic performance-metrics), each a worker's
-- interval of about ten seconds (times in whole seconds, as 18.16 has no DateTime64; interval_seconds is exact).
-- Counts are per interval, so sums over rows are totals. Latency columns are NULL
-- when the interval had nothing to measure. The Kafka coordinates and snapshot_id let the persistence fleet store
-- each snapshot once (it looks the ids up before every insert).

CREATE TABLE IF NOT EXISTS performance_metrics
(
    snapshot_id         String,
    worker_id           String,
    worker_kind         String,
    interval_start      DateTime,
    interval_end        DateTime,
    interval_seconds    Float64,
    messages_in         UInt64,
    messages_out        UInt64,
    batches             UInt64,
    batch_size_avg      Float64,
    batch_size_max      UInt64,
    flush_count         UInt64,
    flush_p50_ms        Nullable(Float64),
    flush_p95_ms        Nullable(Float64),
    flush_p99_ms        Nullable(Float64),
    flush_max_ms        Nullable(Float64),
    e2e_count           UInt64,
    e2e_p50_ms          Nullable(Float64),
    e2e_p95_ms          Nullable(Float64),
    e2e_p99_ms          Nullable(Float64),
    e2e_max_ms          Nullable(Float64),
    consumer_lag        Nullable(Int64),
    errors              UInt64,
    dead_lettered       UInt64,
    dropped             UInt64,
    kafka_topic         String,
    kafka_partition     Int32,
    kafka_offset        Int64,
    inserted_at         DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(interval_end)
ORDER BY (worker_kind, worker_id, interval_end);

-- Hourly, per worker: what SREs chart. Sums add up to the raw rows exactly; the worst latency percentile of the
-- hour is the max of the intervals' (percentiles cannot be summed), the typical one the average over the intervals
-- that measured any (an idle interval has no latency, not a latency of zero).
CREATE TABLE IF NOT EXISTS performance_metrics_hourly_agg
(
    hour               DateTime,
    worker_kind        String,
    worker_id          String,
    snapshots          AggregateFunction(count),
    seconds            AggregateFunction(sum, Float64),
    messages_in        AggregateFunction(sum, UInt64),
    messages_out       AggregateFunction(sum, UInt64),
    batches            AggregateFunction(sum, UInt64),
    errors             AggregateFunction(sum, UInt64),
    dead_lettered      AggregateFunction(sum, UInt64),
    dropped            AggregateFunction(sum, UInt64),
    flush_p99_ms_max   AggregateFunction(max, Float64),
    e2e_p50_ms_avg     AggregateFunction(avgIf, Float64, UInt8),
    e2e_p99_ms_max     AggregateFunction(max, Float64),
    consumer_lag_max   AggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, worker_kind, worker_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS performance_metrics_hourly
TO performance_metrics_hourly_agg
AS SELECT
    toStartOfHour(interval_end)                                   AS hour,
    worker_kind,
    worker_id,
    countState()                                                  AS snapshots,
    sumState(interval_seconds)                                    AS seconds,
    sumState(messages_in)                                         AS messages_in,
    sumState(messages_out)                                        AS messages_out,
    sumState(batches)                                             AS batches,
    sumState(errors)                                              AS errors,
    sumState(dead_lettered)                                       AS dead_lettered,
    sumState(dropped)                                             AS dropped,
    maxState(ifNull(flush_p99_ms, 0))                             AS flush_p99_ms_max,
    avgIfState(ifNull(e2e_p50_ms, 0), e2e_count > 0)              AS e2e_p50_ms_avg,
    maxState(ifNull(e2e_p99_ms, 0))                               AS e2e_p99_ms_max,
    maxState(ifNull(consumer_lag, 0))                             AS consumer_lag_max
FROM performance_metrics
GROUP BY hour, worker_kind, worker_id;
