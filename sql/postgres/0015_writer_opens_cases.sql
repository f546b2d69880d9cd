-- The persistence fleet gives each alert its case as it inserts it (sql/queries/postgres/write_alerts.sql, issue 17)
-- instead of calling assign_alert_cases afterwards, which updated every new alert a second time (a new version of
-- the row in each of its indexes) and scanned every open alert per batch. So its account opens cases and moves
-- their span itself. It still cannot delete a case, reassign one or touch an analyst's decision: only these columns.
-- assign_alert_cases stays for the backfill of 0011 and for alerts written by an older fleet during an upgrade.
GRANT INSERT (id, user_id, opened_at, last_alert_at) ON fraud_cases TO stream_sentinel_writer;
GRANT UPDATE (opened_at, last_alert_at) ON fraud_cases TO stream_sentinel_writer;

-- Whether a case still has an open alert, the question write_alerts.sql asks once per user of a batch: answered from
-- the case's own open alerts. Without it the planner may intersect fraud_alerts_case_idx with the open queue's
-- index, reading every open alert in the table for each user.
CREATE INDEX IF NOT EXISTS fraud_alerts_open_case_idx ON fraud_alerts (case_id) WHERE status IN ('PENDING', 'INVESTIGATING');
