-- Fraud rate by hour: results, alerts (MEDIUM and above), the share alerted and the amounts, per hour of event time.
-- From the materialized view fraud_rate_hourly. Parameters: {from}, {to} (event time), {limit} (most recent hours).
-- Chart: line hour fraud_rate
SELECT
    hour,
    countMerge(results)                                  AS results_total,
    sumMerge(alerts)                                     AS alerts_total,
    round(alerts_total / results_total, 4)               AS fraud_rate,
    round(sumMerge(amount_total), 2)                     AS amount,
    round(sumMerge(alert_amount), 2)                     AS alert_amount
FROM fraud_rate_hourly
WHERE hour >= toStartOfHour({from}) AND hour < {to}
GROUP BY hour
ORDER BY hour DESC
LIMIT {limit}
