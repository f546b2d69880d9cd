-- Before write_alerts.sql, in the same transaction, as a statement of its own: one case assigner per user at a
-- time, locks taken in one order so that two workers never deadlock. write_alerts.sql's snapshot is taken after
-- these locks are held, so it sees every case a previous holder committed, and two workers (or a worker and the
-- backfill, assign_alert_cases in sql/postgres/0011) never give one user two cases for the same hour.
SELECT count(pg_advisory_xact_lock(hashtextextended('fraud_cases/' || user_id, 0)))
FROM (SELECT DISTINCT user_id FROM alert_staging ORDER BY user_id) AS users;
