-- Every worker that published a performance snapshot since {since}: its kind, its last snapshot, the lag it last
-- reported (-1: it consumes nothing, as the gateway), and what it moved and dead-lettered in that time. The SRE page shows a worker that stopped reporting as
-- silent, whether or not the console probes it.
SELECT
    worker_kind,
    worker_id,
    toUnixTimestamp(max(interval_end))                      AS last_snapshot,
    argMax(ifNull(consumer_lag, -1), interval_end)          AS last_lag,
    sum(messages_out)                                       AS out_total,
    sum(dead_lettered)                                      AS dead_letter_total
FROM performance_metrics
WHERE interval_end >= {since}
GROUP BY worker_kind, worker_id
ORDER BY worker_kind, worker_id
