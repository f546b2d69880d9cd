-- Riskiest merchants: merchants with the most alerts, with their payments, alert rate, average score and amount
-- alerted. Joins transaction_records_bi (the merchant; no card, device or IP) to detection_results (the verdict) by event. Parameters:
-- {from}, {to} (event time), {limit}.
-- Chart: bar merchant_id alerts_total
SELECT
    merchant_id,
    any(merchant_category)                               AS category,
    count()                                              AS payments,
    sum(is_alert)                                        AS alerts_total,
    round(alerts_total / payments, 4)                    AS alert_rate,
    round(avg(fraud_score), 3)                           AS avg_score,
    round(sumIf(toFloat64(amount), is_alert = 1), 2)     AS alert_amount
FROM
(
    SELECT event_id, merchant_id, merchant_category
    FROM transaction_records_bi
    WHERE event_time >= {from} AND event_time < {to}
)
ALL INNER JOIN
(
    SELECT event_id, is_alert, fraud_score, amount
    FROM detection_results
    WHERE event_time >= {from} AND event_time < {to}
) USING event_id
GROUP BY merchant_id
ORDER BY alerts_total DESC, alert_rate DESC
LIMIT {limit}
-- The view's rows are filtered inside it only with this setting on 18.16 (current servers have it on by default):
-- without it, the event-time window is applied after reading the whole table (measured: 0 rows read against 20,000).
SETTINGS enable_optimize_predicate_expression = 1
