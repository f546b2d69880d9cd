-- Cases (issue 19): a user's open alerts close together in time form one case, so twelve alerts of one user in an
-- hour reach an analyst as one thing to decide instead of twelve unrelated rows.
--
-- An alert joins its user's latest case that still has an open alert (PENDING or INVESTIGATING) when it was
-- detected within the window of that case's alerts ([opened_at - window, last_alert_at + window]); otherwise it
-- opens a new case. One set-based function does it for every alert without a case: the persistence fleet calls it
-- in the transaction that inserts a batch (sql/queries/postgres/write_alerts.sql's caller), and this script calls it
-- once for the alerts already stored (the backfill). A replayed batch inserts no alert, so it assigns nothing: the
-- assignment is idempotent under redelivery. Cases are never merged: an alert that arrives late and falls between two
-- existing cases of its user joins the latest one (alerts reach the writer roughly in detection order).

CREATE TABLE IF NOT EXISTS fraud_cases (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       TEXT        NOT NULL,
    -- Detection times of its first and latest alert: the window is measured from them.
    opened_at     TIMESTAMPTZ NOT NULL,
    last_alert_at TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT fraud_cases_span_check CHECK (last_alert_at >= opened_at)
);

COMMENT ON TABLE fraud_cases IS 'A user''s alerts detected close together (issue 19); fraud_alerts.case_id points here.';

-- The case queue, latest activity first, with id as the keyset tie-breaker.
CREATE INDEX IF NOT EXISTS fraud_cases_queue_idx ON fraud_cases (last_alert_at DESC, id DESC);

-- A user's latest case, which a new alert may join.
CREATE INDEX IF NOT EXISTS fraud_cases_user_idx ON fraud_cases (user_id, last_alert_at DESC);

DROP TRIGGER IF EXISTS fraud_cases_set_updated_at ON fraud_cases;
CREATE TRIGGER fraud_cases_set_updated_at
    BEFORE UPDATE ON fraud_cases
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE fraud_alerts ADD COLUMN IF NOT EXISTS case_id UUID REFERENCES fraud_cases (id);

-- A case's alerts (its summary and its actions).
CREATE INDEX IF NOT EXISTS fraud_alerts_case_idx ON fraud_alerts (case_id);

-- What the assignment looks for: alerts without a case yet, a handful at any time.
CREATE INDEX IF NOT EXISTS fraud_alerts_uncased_idx ON fraud_alerts (user_id, detected_at) WHERE case_id IS NULL;

-- Assigns every alert without a case to one; returns how many it assigned. SECURITY DEFINER: the persistence
-- fleet's account may run it, but it still cannot update alerts or cases by itself (0006's least privilege).
CREATE OR REPLACE FUNCTION assign_alert_cases(case_window interval) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = public, pg_temp
AS
$$
DECLARE
    assigned integer;
BEGIN
    IF case_window IS NULL OR case_window <= interval '0' THEN
        RAISE EXCEPTION 'assign_alert_cases: the case window must be positive, not %', case_window;
    END IF;

    -- One assigner per user at a time, taken in one order: two workers (or a worker and the backfill) never give
    -- one user two cases for the same hour. The next statement's snapshot sees what the previous holder committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('fraud_cases/' || user_id, 0))
    FROM (SELECT DISTINCT user_id FROM fraud_alerts WHERE case_id IS NULL ORDER BY user_id) AS users;

    WITH pending AS (
        SELECT id, user_id, detected_at FROM fraud_alerts WHERE case_id IS NULL
    ),
    -- Gaps and islands: a user's new alerts split wherever two of them are more than the window apart.
    marked AS (
        SELECT id, user_id, detected_at,
               CASE WHEN detected_at - lag(detected_at) OVER w <= case_window THEN 0 ELSE 1 END AS starts
        FROM pending
        WINDOW w AS (PARTITION BY user_id ORDER BY detected_at, id)
    ),
    islands AS (
        SELECT id, user_id, detected_at, sum(starts) OVER (PARTITION BY user_id ORDER BY detected_at, id) AS island
        FROM marked
    ),
    spans AS (
        SELECT user_id, island, min(detected_at) AS first_at, max(detected_at) AS last_at
        FROM islands
        GROUP BY user_id, island
    ),
    -- Each user's latest case that still has an open alert.
    latest AS (
        SELECT DISTINCT ON (c.user_id) c.id, c.user_id, c.opened_at, c.last_alert_at
        FROM fraud_cases c
        WHERE c.user_id IN (SELECT user_id FROM spans)
          AND EXISTS (SELECT 1 FROM fraud_alerts o
                      WHERE o.case_id = c.id AND o.status IN ('PENDING', 'INVESTIGATING'))
        ORDER BY c.user_id, c.last_alert_at DESC, c.id DESC
    ),
    targets AS MATERIALIZED (
        SELECT s.user_id, s.island, s.first_at, s.last_at, j.joins,
               CASE WHEN j.joins THEN l.id ELSE gen_random_uuid() END AS case_id
        FROM spans s
        LEFT JOIN latest l ON l.user_id = s.user_id
        CROSS JOIN LATERAL (
            SELECT coalesce(s.island = 1
                            AND s.first_at <= l.last_alert_at + case_window
                            AND s.last_at >= l.opened_at - case_window, false) AS joins
        ) AS j
    ),
    opened AS (
        INSERT INTO fraud_cases (id, user_id, opened_at, last_alert_at)
        SELECT case_id, user_id, first_at, last_at FROM targets WHERE NOT joins
    ),
    extended AS (
        UPDATE fraud_cases c
        SET opened_at = least(c.opened_at, t.first_at), last_alert_at = greatest(c.last_alert_at, t.last_at)
        FROM targets t
        WHERE t.joins AND c.id = t.case_id
    ),
    done AS (
        UPDATE fraud_alerts a
        SET case_id = t.case_id
        FROM islands i
        JOIN targets t ON t.user_id = i.user_id AND t.island = i.island
        WHERE a.id = i.id AND a.case_id IS NULL
        RETURNING 1
    )
    SELECT count(*) INTO assigned FROM done;

    RETURN assigned;
END;
$$;

-- A case's version, for If-Match on actions that apply to all its alerts: it changes whenever any of its alerts
-- changes (their row versions, xmin) or an alert joins. One definition for the queue and the actions.
CREATE OR REPLACE FUNCTION fraud_case_version(case_id uuid) RETURNS text
    LANGUAGE sql
    STABLE
AS
$$
    SELECT left(md5(string_agg(a.id::text || ':' || a.xmin::text, ',' ORDER BY a.id)), 16)
    FROM fraud_alerts a
    WHERE a.case_id = fraud_case_version.case_id;
$$;

REVOKE ALL ON FUNCTION assign_alert_cases(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION assign_alert_cases(interval) TO stream_sentinel_writer;
GRANT SELECT ON fraud_cases TO stream_sentinel_writer, stream_sentinel_analyst;

-- The backfill: alerts stored before this script get cases with the default window (Persistence:CaseWindowMinutes).
SELECT assign_alert_cases(interval '60 minutes');
