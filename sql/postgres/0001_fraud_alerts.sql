-- Alerts that analysts work: one row per transaction whose result was routed to PostgreSQL
-- (CRITICAL, HIGH and MEDIUM by default). The persistence worker inserts them; analysts change
-- status and assignee. transaction_id is unique so that a replayed result never makes a second alert.

CREATE TABLE fraud_alerts (
    id                       UUID          PRIMARY KEY DEFAULT gen_random_uuid(),
    transaction_id           TEXT          NOT NULL,
    event_id                 CHAR(64)      NOT NULL,
    user_id                  TEXT          NOT NULL,
    severity                 TEXT          NOT NULL,
    -- Queue order is by urgency, not by the alphabet; derived so that it can never disagree with severity.
    severity_rank            SMALLINT      GENERATED ALWAYS AS (
                                 CASE severity
                                     WHEN 'CRITICAL' THEN 5 WHEN 'HIGH' THEN 4 WHEN 'MEDIUM' THEN 3
                                     WHEN 'LOW' THEN 2 ELSE 1
                                 END) STORED,
    fraud_score              NUMERIC(5, 4) NOT NULL,
    business_rules_triggered TEXT[]        NOT NULL DEFAULT '{}',
    explanation              JSONB         NOT NULL DEFAULT '{}',
    status                   TEXT          NOT NULL DEFAULT 'PENDING',
    assignee                 TEXT,
    -- What an analyst needs on the queue without a trip to ClickHouse.
    amount                   NUMERIC(18, 4) NOT NULL,
    currency                 CHAR(3)       NOT NULL,
    merchant_id              TEXT          NOT NULL,
    merchant_category        CHAR(4)       NOT NULL,
    country                  CHAR(2)       NOT NULL,
    model_name               TEXT          NOT NULL,
    model_version            TEXT          NOT NULL,
    event_time               TIMESTAMPTZ   NOT NULL,
    detected_at              TIMESTAMPTZ   NOT NULL,
    created_at               TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ   NOT NULL DEFAULT now(),

    CONSTRAINT fraud_alerts_transaction_id_key UNIQUE (transaction_id),
    CONSTRAINT fraud_alerts_severity_check
        CHECK (severity IN ('MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    CONSTRAINT fraud_alerts_fraud_score_check
        CHECK (fraud_score >= 0 AND fraud_score <= 1),
    CONSTRAINT fraud_alerts_status_check
        CHECK (status IN ('PENDING', 'INVESTIGATING', 'CONFIRMED_FRAUD', 'FALSE_POSITIVE', 'RESOLVED')),
    CONSTRAINT fraud_alerts_amount_check CHECK (amount >= 0)
);

COMMENT ON TABLE fraud_alerts IS 'Alerts for fraud analysts; one per transaction (unique transaction_id).';
COMMENT ON COLUMN fraud_alerts.severity_rank IS 'MINIMAL=1 .. CRITICAL=5, for ordering the queue by urgency.';

-- The analysts' queue: open alerts, most urgent first, newest first, with id as the keyset tie-breaker.
CREATE INDEX fraud_alerts_open_queue_idx
    ON fraud_alerts (severity_rank DESC, created_at DESC, id DESC)
    WHERE status IN ('PENDING', 'INVESTIGATING');

-- Any status, filtered by status and severity, in time order (closed alerts, audits, reports).
CREATE INDEX fraud_alerts_status_time_idx
    ON fraud_alerts (status, severity_rank, created_at DESC, id DESC);

-- Everything about one user, newest first.
CREATE INDEX fraud_alerts_user_time_idx
    ON fraud_alerts (user_id, created_at DESC);

-- updated_at follows every change, whoever makes it.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER fraud_alerts_set_updated_at
    BEFORE UPDATE ON fraud_alerts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
