-- The console's case queue: one page of cases, each summarized from its alerts (fraud_alerts_case_idx) for this page
-- only. Two orders, both keyset seeks:
--   latest activity first, on (last_alert_at, id): fraud_cases_queue_idx, or fraud_cases_assignee_queue_idx for
--   one analyst's queue;
--   due first, on (due_at, id), open cases only (a closed case is due never): a case is due at open_since plus the
--   SLA of its open_rank (sql/postgres/0016_case_due_times.sql). Within one severity that is open_since's order, so
--   the page is a merge of five walks of fraud_cases_due_idx (or fraud_cases_assignee_due_idx), one per severity,
--   each stopping after @limit cases, whatever the number of open cases.
-- Only the order asked for runs: the other's WHERE is false before it reads a row.
-- Parameters: @by_due (boolean), @case_id (uuid: that case alone, in the activity order; null for a queue), @user (text, null for every user), @assignee (text, null for anyone's or nobody's),
-- @open_only (boolean: only cases with an open alert), @overdue_at (timestamptz, null for any; else only open cases
-- due before it), @sla_critical .. @sla_minimal (minutes an open alert of each severity may wait: Console:Sla),
-- @after_at, @after_id (the previous page's last case: its last_alert_at or its due_at, and id; null for the first
-- page), @limit.
WITH sla (rank, wait) AS (
    VALUES (1, make_interval(mins => @sla_minimal::int)), (2, make_interval(mins => @sla_low::int)),
           (3, make_interval(mins => @sla_medium::int)), (4, make_interval(mins => @sla_high::int)),
           (5, make_interval(mins => @sla_critical::int))
),
by_activity AS (
    SELECT c.*, c.open_since + (SELECT wait FROM sla WHERE sla.rank = c.open_rank) AS due_at
    FROM fraud_cases c
    WHERE NOT @by_due::boolean
      AND (@case_id::uuid IS NULL OR c.id = @case_id::uuid)
      AND (@user::text IS NULL OR c.user_id = @user::text)
      AND (@assignee::text IS NULL OR c.assignee = @assignee::text)
      AND (@after_at::timestamptz IS NULL OR (c.last_alert_at, c.id) < (@after_at::timestamptz, @after_id::uuid))
      AND (NOT @open_only::boolean OR c.open_since IS NOT NULL)
      AND (@overdue_at::timestamptz IS NULL
           OR c.open_since + (SELECT wait FROM sla WHERE sla.rank = c.open_rank) < @overdue_at::timestamptz)
    ORDER BY c.last_alert_at DESC, c.id DESC
    LIMIT @limit
),
by_due AS (
    SELECT w.*
    FROM sla
    CROSS JOIN LATERAL (
        SELECT c.*, c.open_since + sla.wait AS due_at
        FROM fraud_cases c
        WHERE @by_due::boolean
          AND c.open_rank = sla.rank AND c.open_since IS NOT NULL
          AND (@user::text IS NULL OR c.user_id = @user::text)
          AND (@assignee::text IS NULL OR c.assignee = @assignee::text)
          -- (open_since + wait, id) > (after_at, after_id), said so that the index on (open_since, id) answers it.
          AND (@after_at::timestamptz IS NULL OR (c.open_since, c.id) > (@after_at::timestamptz - sla.wait, @after_id::uuid))
          AND (@overdue_at::timestamptz IS NULL OR c.open_since < @overdue_at::timestamptz - sla.wait)
        ORDER BY c.open_since, c.id
        LIMIT @limit
    ) AS w
    ORDER BY w.due_at, w.id
    LIMIT @limit
),
page AS (
    SELECT * FROM by_activity
    UNION ALL
    SELECT * FROM by_due
)
SELECT c.id, c.user_id, c.opened_at, c.last_alert_at,
       s.alerts, s.open_alerts, s.worst_severity, s.total_amount, c.open_since, s.version, c.assignee, c.due_at
FROM page c
CROSS JOIN LATERAL (
    SELECT count(*)::int                                                                 AS alerts,
           (count(*) FILTER (WHERE a.status IN ('PENDING', 'INVESTIGATING')))::int       AS open_alerts,
           (ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[max(a.severity_rank)] AS worst_severity,
           coalesce(sum(a.amount), 0)                                                    AS total_amount,
           fraud_case_version(c.id)                                                      AS version
    FROM fraud_alerts a
    WHERE a.case_id = c.id
) AS s
ORDER BY CASE WHEN @by_due::boolean THEN c.due_at END, CASE WHEN @by_due::boolean THEN c.id END,
         c.last_alert_at DESC, c.id DESC;
