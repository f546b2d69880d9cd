-- Hourly fraud rate by merchant category and country. The view turns each insert into detection_results
-- into partial aggregates (-State); queries combine them with -Merge, e.g.
--   SELECT hour, countMerge(results) AS results, sumMerge(alerts) AS alerts
--   FROM fraud_rate_hourly GROUP BY hour ORDER BY hour
-- Totals equal the source exactly: every result lands in one (hour, category, country) cell.

CREATE TABLE IF NOT EXISTS fraud_rate_hourly_agg
(
    hour              DateTime,
    merchant_category FixedString(4),
    country           FixedString(2),
    results           AggregateFunction(count),
    alerts            AggregateFunction(sum, UInt64),
    critical          AggregateFunction(sum, UInt64),
    high              AggregateFunction(sum, UInt64),
    medium            AggregateFunction(sum, UInt64),
    amount_total      AggregateFunction(sum, Float64),
    alert_amount      AggregateFunction(sum, Float64),
    score_avg         AggregateFunction(avg, Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, merchant_category, country);

CREATE MATERIALIZED VIEW IF NOT EXISTS fraud_rate_hourly
TO fraud_rate_hourly_agg
AS SELECT
    toStartOfHour(event_time)                          AS hour,
    merchant_category,
    country,
    countState()                                       AS results,
    sumState(toUInt64(is_alert))                       AS alerts,
    sumState(toUInt64(severity = 'CRITICAL'))          AS critical,
    sumState(toUInt64(severity = 'HIGH'))              AS high,
    sumState(toUInt64(severity = 'MEDIUM'))            AS medium,
    sumState(toFloat64(amount))                        AS amount_total,
    sumState(toFloat64(amount) * is_alert)             AS alert_amount,
    avgState(fraud_score)                              AS score_avg
FROM detection_results
GROUP BY hour, merchant_category, country;
