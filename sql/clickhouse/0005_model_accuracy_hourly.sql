-- Hourly behaviour of each model version: how many results, how many alerts, the score distribution and
-- the detection latency. Analysts' verdicts (confirmed fraud / false positive) join it in a later script,
-- once they flow back from PostgreSQL, to give precision.

CREATE TABLE IF NOT EXISTS model_accuracy_hourly_agg
(
    hour           DateTime,
    model_name     String,
    model_version  String,
    results        AggregateFunction(count),
    alerts         AggregateFunction(sum, UInt64),
    score_avg      AggregateFunction(avg, Float64),
    score_quantiles AggregateFunction(quantiles(0.5, 0.9, 0.99), Float64),
    latency_quantiles AggregateFunction(quantiles(0.5, 0.9, 0.99), Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, model_name, model_version);

CREATE MATERIALIZED VIEW IF NOT EXISTS model_accuracy_hourly
TO model_accuracy_hourly_agg
AS SELECT
    toStartOfHour(detected_at)                              AS hour,
    model_name,
    model_version,
    countState()                                            AS results,
    sumState(toUInt64(is_alert))                            AS alerts,
    avgState(fraud_score)                                   AS score_avg,
    quantilesState(0.5, 0.9, 0.99)(fraud_score)             AS score_quantiles,
    quantilesState(0.5, 0.9, 0.99)(detection_latency_ms)    AS latency_quantiles
FROM detection_results
GROUP BY hour, model_name, model_version;
