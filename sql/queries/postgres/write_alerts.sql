-- One batch of alerts, set-based: the rows were COPYed into alert_staging (binary) just before, in the same
-- transaction, and lock_case_users.sql holds their users' case locks. Each new alert is inserted with its case
-- (sql/postgres/0011_fraud_cases.sql: a user's alerts within @window of each other form one case, joining the user's
-- latest case that still has an open alert), so an alert is written once and never visible without a case. An event
-- already alerted on (a replay) inserts nothing, and so counts for nothing below: fraud_cases, user_accounts and
-- system_audit_log change only for alerts this statement really inserted.
-- Parameters: @worker, the actor of the audit entries; @window, the case window.
WITH staged AS MATERIALIZED (
    -- Per event, never per the client-chosen transaction_id (sql/postgres/0010, issue 18); once if a batch has it twice.
    SELECT DISTINCT ON (s.event_id) s.*
    FROM alert_staging s
    WHERE NOT EXISTS (SELECT 1 FROM fraud_alerts a WHERE a.event_id = s.event_id)
    ORDER BY s.event_id, s.detected_at
),
-- Gaps and islands: a user's new alerts split wherever two of them are more than the window apart.
marked AS (
    SELECT staged.*,
           CASE WHEN detected_at - lag(detected_at) OVER w <= @window THEN 0 ELSE 1 END AS starts
    FROM staged
    WINDOW w AS (PARTITION BY user_id ORDER BY detected_at, id)
),
islands AS (
    SELECT marked.*, sum(starts) OVER (PARTITION BY user_id ORDER BY detected_at, id) AS island
    FROM marked
),
spans AS (
    SELECT user_id, island, min(detected_at) AS first_at, max(detected_at) AS last_at
    FROM islands
    GROUP BY user_id, island
),
-- Each user's latest case that still has an open alert (open_since, sql/postgres/0016_case_due_times.sql): one
-- index probe per user of the batch (fraud_cases_user_idx), whatever the number of open alerts in the table.
latest AS (
    SELECT l.id, l.user_id, l.opened_at, l.last_alert_at
    FROM (SELECT DISTINCT user_id FROM spans) AS users
    CROSS JOIN LATERAL (
        SELECT c.id, c.user_id, c.opened_at, c.last_alert_at
        FROM fraud_cases c
        WHERE c.user_id = users.user_id AND c.open_since IS NOT NULL
        ORDER BY c.last_alert_at DESC, c.id DESC
        LIMIT 1
    ) AS l
),
targets AS MATERIALIZED (
    SELECT s.user_id, s.island, s.first_at, s.last_at, j.joins,
           CASE WHEN j.joins THEN l.id ELSE gen_random_uuid() END AS case_id
    FROM spans s
    LEFT JOIN latest l ON l.user_id = s.user_id
    CROSS JOIN LATERAL (
        SELECT coalesce(s.island = 1
                        AND s.first_at <= l.last_alert_at + @window
                        AND s.last_at >= l.opened_at - @window, false) AS joins
    ) AS j
),
inserted AS (
    INSERT INTO fraud_alerts (id, transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered,
                              explanation, amount, currency, merchant_id, merchant_category, country,
                              model_name, model_version, event_time, detected_at, case_id)
    SELECT i.id, i.transaction_id, i.event_id, i.user_id, i.severity, i.fraud_score, i.business_rules_triggered,
           i.explanation, i.amount, i.currency, i.merchant_id, i.merchant_category, i.country,
           i.model_name, i.model_version, i.event_time, i.detected_at, t.case_id
    FROM islands i
    JOIN targets t ON t.user_id = i.user_id AND t.island = i.island
    -- Another worker may insert the same event at the same moment (two owners during a rebalance).
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, transaction_id, user_id, severity, severity_rank, fraud_score, detected_at, case_id, created_at
),
-- Cases change only for alerts really inserted; the foreign key of the alerts is checked at the statement's end.
-- New alerts are open (PENDING): a case's open span only ever starts earlier or gets worse here.
per_case AS (
    SELECT case_id, min(created_at) AS open_since, max(severity_rank)::smallint AS open_rank
    FROM inserted
    GROUP BY case_id
),
opened AS (
    INSERT INTO fraud_cases (id, user_id, opened_at, last_alert_at, open_since, open_rank)
    SELECT t.case_id, t.user_id, t.first_at, t.last_at, p.open_since, p.open_rank
    FROM targets t
    JOIN per_case p ON p.case_id = t.case_id
    WHERE NOT t.joins
),
extended AS (
    UPDATE fraud_cases c
    SET opened_at = least(c.opened_at, t.first_at), last_alert_at = greatest(c.last_alert_at, t.last_at),
        -- least and greatest skip a null: an analyst may have closed the case's last open alert meanwhile.
        open_since = least(c.open_since, p.open_since), open_rank = greatest(c.open_rank, p.open_rank)
    FROM targets t
    JOIN per_case p ON p.case_id = t.case_id
    WHERE t.joins AND c.id = t.case_id
),
accounts AS (
    INSERT INTO user_accounts AS account (user_id, alerts_total, critical_alerts, high_alerts, medium_alerts,
                                          low_alerts, minimal_alerts, max_fraud_score, last_alert_at, risk_level)
    SELECT user_id,
           count(*),
           count(*) FILTER (WHERE severity = 'CRITICAL'),
           count(*) FILTER (WHERE severity = 'HIGH'),
           count(*) FILTER (WHERE severity = 'MEDIUM'),
           count(*) FILTER (WHERE severity = 'LOW'),
           count(*) FILTER (WHERE severity = 'MINIMAL'),
           max(fraud_score),
           max(detected_at),
           (ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[max(severity_rank)]
    FROM inserted
    GROUP BY user_id
    -- One lock order for every worker: two batches touching the same users cannot deadlock.
    ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET
        alerts_total    = account.alerts_total + EXCLUDED.alerts_total,
        critical_alerts = account.critical_alerts + EXCLUDED.critical_alerts,
        high_alerts     = account.high_alerts + EXCLUDED.high_alerts,
        medium_alerts   = account.medium_alerts + EXCLUDED.medium_alerts,
        low_alerts      = account.low_alerts + EXCLUDED.low_alerts,
        minimal_alerts  = account.minimal_alerts + EXCLUDED.minimal_alerts,
        max_fraud_score = greatest(account.max_fraud_score, EXCLUDED.max_fraud_score),
        last_alert_at   = greatest(account.last_alert_at, EXCLUDED.last_alert_at),
        -- The current risk is the worst severity of the last 30 days of alerts: an old alert stops counting
        -- once a month has passed without another.
        risk_level      = CASE
            WHEN account.last_alert_at IS NULL OR account.last_alert_at < EXCLUDED.last_alert_at - interval '30 days'
                THEN EXCLUDED.risk_level
            ELSE (ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[greatest(
                array_position(ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'], account.risk_level),
                array_position(ARRAY['MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'], EXCLUDED.risk_level))]
        END
),
audit AS (
    INSERT INTO system_audit_log (actor, action, entity_type, entity_id, details)
    SELECT @worker, 'alert.created', 'fraud_alert', id::text,
           jsonb_build_object('transaction_id', transaction_id, 'user_id', user_id,
                              'severity', severity, 'fraud_score', fraud_score)
    FROM inserted
)
SELECT count(*) FROM inserted;
