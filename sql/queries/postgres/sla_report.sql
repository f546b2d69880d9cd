-- Time to first action and time to resolution (issue 19), by severity and analyst, for the alerts created in
-- [@from, @to): first action is the change that took an alert out of PENDING, resolution the one that gave it its
-- verdict (CONFIRMED_FRAUD or FALSE_POSITIVE), both read from the audit trail, each credited to who made it.
-- Alerts without that change yet are not counted (the open ones are what the case queue's overdue filter shows).
WITH alerts AS (
    SELECT id::text AS id, severity, created_at
    FROM fraud_alerts
    WHERE created_at >= @from AND created_at < @to
),
first_action AS (
    SELECT DISTINCT ON (l.entity_id) l.entity_id, l.actor, l.occurred_at
    FROM system_audit_log l
    WHERE l.entity_type = 'fraud_alert' AND l.action = 'alert.status_changed' AND l.details->>'from' = 'PENDING'
      AND l.entity_id IN (SELECT id FROM alerts)
    ORDER BY l.entity_id, l.occurred_at, l.id
),
resolution AS (
    SELECT DISTINCT ON (l.entity_id) l.entity_id, l.actor, l.occurred_at
    FROM system_audit_log l
    WHERE l.entity_type = 'fraud_alert' AND l.action = 'alert.status_changed'
      AND l.details->>'to' IN ('CONFIRMED_FRAUD', 'FALSE_POSITIVE')
      AND l.entity_id IN (SELECT id FROM alerts)
    ORDER BY l.entity_id, l.occurred_at, l.id
),
measures AS (
    SELECT 'first_action' AS measure, a.severity, f.actor, extract(epoch FROM f.occurred_at - a.created_at) AS seconds
    FROM alerts a JOIN first_action f ON f.entity_id = a.id
    UNION ALL
    SELECT 'resolution', a.severity, r.actor, extract(epoch FROM r.occurred_at - a.created_at)
    FROM alerts a JOIN resolution r ON r.entity_id = a.id
)
SELECT measure,
       severity,
       regexp_replace(actor, '^analyst/', '')                                   AS analyst,
       count(*)::int                                                             AS alerts,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::double precision    AS p50_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)::double precision    AS p90_seconds,
       max(seconds)::double precision                                            AS max_seconds
FROM measures
GROUP BY measure, severity, actor
ORDER BY measure, severity, analyst;
