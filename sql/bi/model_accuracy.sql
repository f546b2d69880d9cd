-- Model behaviour over time: per hour of detection and model version, results, alerts, the alert rate, score and
-- latency percentiles. From the materialized view model_accuracy_hourly. Parameters: {from}, {to} (detection
-- time), {limit} (most recent rows).
SELECT
    hour,
    model_version,
    countMerge(results)                                  AS results_total,
    sumMerge(alerts)                                     AS alerts_total,
    round(alerts_total / results_total, 4)               AS alert_rate,
    arrayMap(q -> round(q, 3), quantilesMerge(0.5, 0.9, 0.99)(score_quantiles))   AS score_p50_p90_p99,
    arrayMap(q -> round(q, 1), quantilesMerge(0.5, 0.9, 0.99)(latency_quantiles)) AS latency_ms_p50_p90_p99
FROM model_accuracy_hourly
WHERE hour >= toStartOfHour({from}) AND hour < {to}
GROUP BY hour, model_version
ORDER BY hour DESC, model_version
LIMIT {limit}
