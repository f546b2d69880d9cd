-- Analysts' verdicts on alerts (CONFIRMED_FRAUD or FALSE_POSITIVE), copied from the console's audit events by the
-- persistence fleet: one row per verdict, stored once (the fleet looks the verdict ids up before each insert).
-- Partitioned and bucketed by the alert's detection time, so that a model's precision lines up with
-- model_accuracy_hourly's hours (a verdict given days later still counts for the hour the model decided).

CREATE TABLE IF NOT EXISTS alert_verdicts
(
    verdict_id       String,
    alert_id         String,
    transaction_id   String,
    event_id         String,
    model_name       String,
    model_version    String,
    verdict          Enum8('CONFIRMED_FRAUD' = 1, 'FALSE_POSITIVE' = 2),
    analyst          String,
    detected_at      DateTime,
    decided_at       DateTime,
    kafka_topic      String,
    kafka_partition  Int32,
    kafka_offset     Int64,
    inserted_at      DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(detected_at)
ORDER BY (model_version, detected_at);

-- Per hour of detection and model version: confirmed frauds and false positives. Precision is
-- confirmed / (confirmed + false positives), over the alerts analysts have decided (see sql/bi/model_accuracy.sql).
CREATE TABLE IF NOT EXISTS model_verdicts_hourly_agg
(
    hour             DateTime,
    model_name       String,
    model_version    String,
    confirmed        AggregateFunction(sum, UInt64),
    false_positives  AggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, model_name, model_version);

CREATE MATERIALIZED VIEW IF NOT EXISTS model_verdicts_hourly
TO model_verdicts_hourly_agg
AS SELECT
    toStartOfHour(detected_at)                       AS hour,
    model_name,
    model_version,
    sumState(toUInt64(verdict = 'CONFIRMED_FRAUD'))  AS confirmed,
    sumState(toUInt64(verdict = 'FALSE_POSITIVE'))   AS false_positives
FROM alert_verdicts
GROUP BY hour, model_name, model_version;
