-- Fraud rate by merchant category (MCC): results, alerts, the share alerted and the amounts alerted, highest rate first.
-- From the materialized view fraud_rate_hourly. Parameters: {from}, {to} (event time), {limit}.
-- Chart: bar merchant_category fraud_rate
SELECT
    merchant_category,
    countMerge(results)                                  AS results_total,
    sumMerge(alerts)                                     AS alerts_total,
    round(alerts_total / results_total, 4)               AS fraud_rate,
    round(sumMerge(alert_amount), 2)                     AS alert_amount
FROM fraud_rate_hourly
WHERE hour >= toStartOfHour({from}) AND hour < {to}
GROUP BY merchant_category
ORDER BY fraud_rate DESC, results_total DESC
LIMIT {limit}
