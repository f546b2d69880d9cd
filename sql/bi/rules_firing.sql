-- Business rules that fire most: per rule, how often it fired, on how many alerts, the share of its firings that
-- became alerts, and the average score. From detection_results. Parameters: {from}, {to} (event time), {limit}.
-- Chart: bar rule fired,on_alerts
SELECT
    rule,
    count()                                              AS fired,
    sum(is_alert)                                        AS on_alerts,
    round(on_alerts / fired, 4)                          AS alert_share,
    round(avg(fraud_score), 3)                           AS avg_score
FROM detection_results
ARRAY JOIN business_rules_triggered AS rule
WHERE event_time >= {from} AND event_time < {to}
GROUP BY rule
ORDER BY fired DESC
LIMIT {limit}
