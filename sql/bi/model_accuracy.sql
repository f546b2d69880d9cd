-- Model accuracy over time: per hour of detection and model version, results, alerts, the alert rate, score and
-- latency percentiles, and the precision analysts' verdicts give it (confirmed frauds / decided alerts; nan while
-- no alert of that hour is decided). From the materialized views model_accuracy_hourly and model_verdicts_hourly.
-- Parameters: {from}, {to} (detection time), {limit} (most recent rows).
-- Chart: line hour alert_rate,precision
SELECT
    hour,
    model_version,
    results_total,
    alerts_total,
    round(alerts_total / results_total, 4)                                     AS alert_rate,
    score_p50_p90_p99,
    latency_ms_p50_p90_p99,
    confirmed,
    false_positives,
    if(confirmed + false_positives > 0, round(confirmed / (confirmed + false_positives), 4), nan) AS precision
FROM
(
    SELECT
        hour,
        model_name,
        model_version,
        countMerge(results)                                                    AS results_total,
        sumMerge(alerts)                                                       AS alerts_total,
        arrayMap(q -> round(q, 3), quantilesMerge(0.5, 0.9, 0.99)(score_quantiles))   AS score_p50_p90_p99,
        arrayMap(q -> round(q, 1), quantilesMerge(0.5, 0.9, 0.99)(latency_quantiles)) AS latency_ms_p50_p90_p99
    FROM model_accuracy_hourly
    WHERE hour >= toStartOfHour({from}) AND hour < {to}
    GROUP BY hour, model_name, model_version
)
ANY LEFT JOIN
(
    SELECT
        hour,
        model_name,
        model_version,
        sumMerge(confirmed)                                                    AS confirmed,
        sumMerge(false_positives)                                              AS false_positives
    FROM model_verdicts_hourly
    WHERE hour >= toStartOfHour({from}) AND hour < {to}
    GROUP BY hour, model_name, model_version
) USING hour, model_name, model_version
ORDER BY hour DESC, model_version
LIMIT {limit}
