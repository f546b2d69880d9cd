-- Which of a batch's performance snapshots performance_metrics already holds: asked before every insert, so a batch
-- read again (after a crash, a rebalance or an insert whose answer was lost) stores each snapshot once. Snapshots
-- are few (one per worker per interval), so the lookup is cheap; the time bounds prune months and the sort key.
-- Placeholders (filled with ClickHouseLiteral): {snapshot_ids}, {min_interval_end}, {max_interval_end}.
SELECT DISTINCT snapshot_id
FROM performance_metrics
WHERE interval_end BETWEEN {min_interval_end} AND {max_interval_end}
  AND snapshot_id IN ({snapshot_ids})
