-- Issue 17, item 6: every index on fraud_alerts is written with every alert the fleet inserts, so each must serve a
-- query the product runs. Reviewed against them (SchemaConstraintTests names each query and the index that answers
-- it): two served none and go, and one gave a user's alerts without their order. Measured on this machine,
-- 1,000-alert inserts into a 100,000-alert table: 36.5 / 38.7 ms median with the two, 33.8 / 34.3 ms without (about a
-- tenth of the insert).
--
-- fraud_alerts_open_queue_idx (severity_rank, created_at, id of open alerts): the first console's queue order. The
-- console pages alerts newest first (fraud_alerts_queue_idx, 0008) and works cases by due time (fraud_cases_due_idx,
-- 0016); nothing orders alerts by severity any more.
DROP INDEX IF EXISTS fraud_alerts_open_queue_idx;

-- fraud_alerts_open_case_idx (open alerts by case): answered write_alerts.sql's "does the user's latest case still
-- have an open alert" until 0016 kept that on the case itself (fraud_cases.open_since). What is left, a case's open
-- alerts when an analyst changes one (refresh_fraud_case_open, the round robin), reads one case's alerts, which
-- fraud_alerts_case_idx finds as well.
DROP INDEX IF EXISTS fraud_alerts_open_case_idx;

-- One user's alerts, newest first, as the console pages them (created_at, then id: keyset paging). The index of
-- 0001 stopped at created_at, so each page sorted every alert of the user; this one gives the order, for the
-- same cost per insert. (On a large table, build it by hand first with CREATE INDEX CONCURRENTLY: this script
-- then finds it and only drops the old one.)
CREATE INDEX IF NOT EXISTS fraud_alerts_user_queue_idx ON fraud_alerts (user_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS fraud_alerts_user_time_idx;
