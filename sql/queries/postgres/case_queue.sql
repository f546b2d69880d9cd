-- The console's case queue: one page of cases, latest activity first, a keyset seek on (last_alert_at, id)
-- (fraud_cases_queue_idx), each summarized from its alerts (fraud_alerts_case_idx) for this page only.
-- Parameters: @user (text, null for every user), @assignee (text, null for anyone's or nobody's; one analyst's queue
-- walks fraud_cases_assignee_queue_idx), @open_only (boolean: only cases with an open alert), @overdue_at
-- (timestamptz, null for any; else only open cases due before it), @sla_critical .. @sla_minimal (minutes an open
-- alert of each severity may wait: Console:Sla), @after_at, @after_id (the previous page's last case, null for the
-- first page), @limit.
SELECT c.id, c.user_id, c.opened_at, c.last_alert_at,
       s.alerts, s.open_alerts, s.worst_severity, s.total_amount, s.oldest_open, s.version, c.assignee, d.due_at
FROM fraud_cases c
CROSS JOIN LATERAL (
    SELECT count(*)::int                                                                     AS alerts,
           (count(*) FILTER (WHERE a.status IN ('PENDING', 'INVESTIGATING')))::int           AS open_alerts,
           (ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[max(a.severity_rank)]     AS worst_severity,
           -- The worst severity among the open alerts decides when the case is due.
           max(a.severity_rank) FILTER (WHERE a.status IN ('PENDING', 'INVESTIGATING'))      AS worst_open_rank,
           coalesce(sum(a.amount), 0)                                                        AS total_amount,
           min(a.created_at) FILTER (WHERE a.status IN ('PENDING', 'INVESTIGATING'))         AS oldest_open,
           fraud_case_version(c.id)                                                          AS version
    FROM fraud_alerts a
    WHERE a.case_id = c.id
) AS s
CROSS JOIN LATERAL (
    SELECT s.oldest_open + make_interval(mins => (ARRAY[@sla_minimal::int, @sla_low::int, @sla_medium::int,
                                                        @sla_high::int, @sla_critical::int])[s.worst_open_rank]) AS due_at
) AS d
WHERE (@user::text IS NULL OR c.user_id = @user::text)
  AND (@assignee::text IS NULL OR c.assignee = @assignee::text)
  AND (@after_at::timestamptz IS NULL OR (c.last_alert_at, c.id) < (@after_at::timestamptz, @after_id::uuid))
  AND (NOT @open_only::boolean OR s.open_alerts > 0)
  AND (@overdue_at::timestamptz IS NULL OR d.due_at < @overdue_at::timestamptz)
ORDER BY c.last_alert_at DESC, c.id DESC
LIMIT @limit;
