-- Due times a queue can sort by (issue 19). A case is due at its oldest open alert's creation plus the SLA of the
-- worst severity among its open alerts (Console:Sla). Computing that from the alerts for every open case to sort
-- them reads every open alert in the table; instead each case carries the two facts its due time depends on, and the
-- SLA (configuration of the console, not of the schema) is applied when a queue is read:
--   open_since  the creation of its oldest open (PENDING or INVESTIGATING) alert; null when none is open;
--   open_rank   the worst severity_rank among its open alerts; null when none is open.
-- Sorting by due time is then a merge of five index walks, one per severity (sql/queries/postgres/case_queue.sql),
-- and "does this case still have an open alert" is a column, not a probe of its alerts.
--
-- Who keeps them: the persistence fleet, as it inserts alerts (only ever opening: new alerts are PENDING,
-- sql/queries/postgres/write_alerts.sql), and a trigger whenever anything they depend on changes in an alert: its
-- status (the console's decisions), its case (assign_alert_cases, for alerts of an older fleet), its creation time or
-- its severity (neither of which the product changes, but an operator's correction must not leave a wrong due time).
ALTER TABLE fraud_cases ADD COLUMN IF NOT EXISTS open_since TIMESTAMPTZ;
ALTER TABLE fraud_cases ADD COLUMN IF NOT EXISTS open_rank SMALLINT;

DO $$
BEGIN
    ALTER TABLE fraud_cases ADD CONSTRAINT fraud_cases_open_check
        CHECK ((open_since IS NULL) = (open_rank IS NULL) AND (open_rank IS NULL OR open_rank BETWEEN 1 AND 5));
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

-- Recomputes one case's open_since and open_rank from its alerts. The case row is locked first: a writer adding an
-- alert to the case meanwhile either committed before (and the count below sees its alert) or waits for this
-- transaction and then applies its own least/greatest to what this wrote. SECURITY DEFINER: the console's account
-- changes alerts' status, not cases' columns.
CREATE OR REPLACE FUNCTION refresh_fraud_case_open(target uuid) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = public, pg_temp
AS
$$
BEGIN
    PERFORM 1 FROM fraud_cases WHERE id = target FOR UPDATE;
    UPDATE fraud_cases c
    SET open_since = s.open_since, open_rank = s.open_rank
    FROM (
        SELECT min(a.created_at) AS open_since, max(a.severity_rank)::smallint AS open_rank
        FROM fraud_alerts a
        WHERE a.case_id = target AND a.status IN ('PENDING', 'INVESTIGATING')
    ) AS s
    WHERE c.id = target
      AND (c.open_since IS DISTINCT FROM s.open_since OR c.open_rank IS DISTINCT FROM s.open_rank);
END;
$$;

REVOKE ALL ON FUNCTION refresh_fraud_case_open(uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION fraud_alerts_refresh_case_open() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = public, pg_temp
AS
$$
BEGIN
    IF NEW.case_id IS NOT NULL THEN
        PERFORM refresh_fraud_case_open(NEW.case_id);
    END IF;

    IF OLD.case_id IS NOT NULL AND OLD.case_id IS DISTINCT FROM NEW.case_id THEN
        PERFORM refresh_fraud_case_open(OLD.case_id);
    END IF;

    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS fraud_alerts_case_open ON fraud_alerts;
CREATE TRIGGER fraud_alerts_case_open
    AFTER UPDATE OF status, case_id, created_at, severity ON fraud_alerts
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.case_id IS DISTINCT FROM NEW.case_id
          OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.severity IS DISTINCT FROM NEW.severity)
    EXECUTE FUNCTION fraud_alerts_refresh_case_open();

-- The writer opens cases and moves their open span as it inserts (0015 granted it the span's columns).
GRANT INSERT (open_since, open_rank) ON fraud_cases TO stream_sentinel_writer;
GRANT UPDATE (open_since, open_rank) ON fraud_cases TO stream_sentinel_writer;

-- The due-time queue: per severity, oldest open first (the keyset's tie-breaker is id).
CREATE INDEX IF NOT EXISTS fraud_cases_due_idx ON fraud_cases (open_rank, open_since, id) WHERE open_since IS NOT NULL;
-- One analyst's queue by due time.
CREATE INDEX IF NOT EXISTS fraud_cases_assignee_due_idx
    ON fraud_cases (assignee, open_rank, open_since, id)
    WHERE open_since IS NOT NULL AND assignee IS NOT NULL;

-- The backfill, for cases stored before this script: one pass over the open alerts.
UPDATE fraud_cases c
SET open_since = s.open_since, open_rank = s.open_rank
FROM (
    SELECT a.case_id, min(a.created_at) AS open_since, max(a.severity_rank)::smallint AS open_rank
    FROM fraud_alerts a
    WHERE a.case_id IS NOT NULL AND a.status IN ('PENDING', 'INVESTIGATING')
    GROUP BY a.case_id
) AS s
WHERE c.id = s.case_id
  AND (c.open_since IS DISTINCT FROM s.open_since OR c.open_rank IS DISTINCT FROM s.open_rank);
