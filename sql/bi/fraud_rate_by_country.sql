-- Fraud rate by country of the payment: results, alerts by severity, the share alerted, highest rate first.
-- From the materialized view fraud_rate_hourly. Parameters: {from}, {to} (event time), {limit}.
-- Chart: bar country fraud_rate
SELECT
    country,
    countMerge(results)                                  AS results_total,
    sumMerge(alerts)                                     AS alerts_total,
    sumMerge(critical)                                   AS critical_total,
    sumMerge(high)                                       AS high_total,
    sumMerge(medium)                                     AS medium_total,
    round(alerts_total / results_total, 4)               AS fraud_rate
FROM fraud_rate_hourly
WHERE hour >= toStartOfHour({from}) AND hour < {to}
GROUP BY country
ORDER BY fraud_rate DESC, results_total DESC
LIMIT {limit}
