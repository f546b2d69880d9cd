-- Score distribution: results per tenth of the fraud score, the share of all results and how many became alerts.
-- From detection_results. Parameters: {from}, {to} (event time), {limit} (ignored: there are ten buckets).
-- Chart: bar score_from results_total,alerts_total
SELECT
    floor(fraud_score * 10) / 10                         AS score_from,
    count()                                              AS results_total,
    round(results_total / (SELECT count() FROM detection_results WHERE event_time >= {from} AND event_time < {to}), 4) AS share,
    sum(is_alert)                                        AS alerts_total
FROM detection_results
WHERE event_time >= {from} AND event_time < {to}
GROUP BY score_from
ORDER BY score_from
