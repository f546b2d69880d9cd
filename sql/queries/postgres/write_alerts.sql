-- One batch of alerts, set-based: the rows were COPYed into alert_staging (binary) just before, in the same
-- transaction. An event already alerted on (a replay) inserts nothing, and so counts for nothing below:
-- user_accounts and system_audit_log change only for alerts this statement really inserted.
-- Parameter: @worker, the actor of the audit entries.
WITH inserted AS (
    INSERT INTO fraud_alerts (id, transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered,
                              explanation, amount, currency, merchant_id, merchant_category, country,
                              model_name, model_version, event_time, detected_at)
    SELECT id, transaction_id, event_id, user_id, severity, fraud_score, business_rules_triggered,
           explanation, amount, currency, merchant_id, merchant_category, country,
           model_name, model_version, event_time, detected_at
    FROM alert_staging
    -- Per event, never per the client-chosen transaction_id (sql/postgres/0010, issue 18).
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, transaction_id, user_id, severity, severity_rank, fraud_score, detected_at
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
