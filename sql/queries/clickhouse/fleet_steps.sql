-- The fleet over the last minutes, per stage (worker kind) and step of {step} seconds since {since}: what the
-- console's SRE page charts. From the performance snapshots every worker publishes, so a worker counts whether or
-- not the console knows its address. Per step: messages in and out per second summed over the stage's workers, the
-- worst flush p99 (-1: nothing flushed; TSV cannot say NULL), dead letters, and the lag the stage's workers last
-- reported, summed (0 for a stage that consumes nothing, the gateway). Inner aliases differ from
-- the table's column names on purpose: ClickHouse would read a same-named alias inside the next aggregate.
SELECT
    toUnixTimestamp(step)                                   AS step_start,
    worker_kind,
    round(sum(worker_in) / {step}, 1)                       AS in_per_second,
    round(sum(worker_out) / {step}, 1)                      AS out_per_second,
    round(max(worker_flush_p99), 1)                         AS flush_p99_ms,
    sum(worker_dead)                                        AS dead_letters,
    sum(worker_lag)                                         AS lag,
    count()                                                 AS workers
FROM
(
    SELECT
        toDateTime(intDiv(toUInt32(interval_end), {step}) * {step}) AS step,
        worker_kind,
        worker_id,
        sum(messages_in)                                    AS worker_in,
        sum(messages_out)                                   AS worker_out,
        max(ifNull(flush_p99_ms, -1))                       AS worker_flush_p99,
        sum(dead_lettered)                                  AS worker_dead,
        argMax(ifNull(consumer_lag, 0), interval_end)       AS worker_lag
    FROM performance_metrics
    WHERE interval_end >= {since}
    GROUP BY step, worker_kind, worker_id
)
GROUP BY step, worker_kind
ORDER BY step, worker_kind
