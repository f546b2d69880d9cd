-- The fleet's own performance, per worker, over the hours since {since} (a DateTime literal), read from the hourly
-- view of the snapshots every worker publishes. Rates are averages over the time each worker reported, idle time
-- included; latency columns are the worst p99 and the typical p50 of the snapshot intervals. Aliases differ from the
-- view's column names on purpose: ClickHouse would read a same-named alias inside the next aggregate.
SELECT
    worker_kind,
    worker_id,
    countMerge(snapshots)                                   AS snapshot_count,
    round(sumMerge(seconds), 1)                             AS seconds_reported,
    sumMerge(messages_in)                                   AS in_total,
    sumMerge(messages_out)                                  AS out_total,
    round(out_total / seconds_reported, 1)                  AS out_per_second,
    sumMerge(batches)                                       AS batch_count,
    round(maxMerge(flush_p99_ms_max), 1)                    AS worst_flush_p99_ms,
    round(avgIfMerge(e2e_p50_ms_avg), 1)                    AS typical_e2e_p50_ms,
    round(maxMerge(e2e_p99_ms_max), 1)                      AS worst_e2e_p99_ms,
    maxMerge(consumer_lag_max)                              AS worst_lag,
    sumMerge(errors)                                        AS error_count,
    sumMerge(dead_lettered)                                 AS dead_letter_count,
    sumMerge(dropped)                                       AS dropped_count
FROM performance_metrics_hourly
WHERE hour >= toStartOfHour({since})
GROUP BY worker_kind, worker_id
ORDER BY worker_kind, worker_id
