-- The console's queue reads a page newest first by (created_at, id), seeking past the previous page's last row
-- (keyset paging). These indexes serve that order directly, so a page costs the same at 10M alerts as at 10K and on
-- page 1,000 as on page 1: every alert, or a filter the index does not lead with (severity), walks
-- fraud_alerts_queue_idx and stops once a page matched (far down only for a filter that matches very few alerts);
-- one status walks fraud_alerts_status_queue_idx; one user keeps fraud_alerts_user_time_idx.
-- (Measured: `stream-sentinel bench console-queue`.)
-- fraud_alerts_status_time_idx led with status then severity_rank, which made PostgreSQL sort every alert of a status
-- to find the newest; these replace it. On a large existing table, build them with CREATE INDEX CONCURRENTLY by hand
-- before migrating: this script then finds them and only drops the old one.
CREATE INDEX IF NOT EXISTS fraud_alerts_queue_idx
    ON fraud_alerts (created_at DESC, id DESC);

CREATE INDEX IF NOT EXISTS fraud_alerts_status_queue_idx
    ON fraud_alerts (status, created_at DESC, id DESC);

DROP INDEX IF EXISTS fraud_alerts_status_time_idx;
