-- The risk profile of each user who has had at least one alert, kept current by the persistence worker
-- in the same transaction as the alerts themselves.

CREATE TABLE user_accounts (
    user_id          TEXT          PRIMARY KEY,
    alerts_total     INTEGER       NOT NULL DEFAULT 0,
    critical_alerts  INTEGER       NOT NULL DEFAULT 0,
    high_alerts      INTEGER       NOT NULL DEFAULT 0,
    medium_alerts    INTEGER       NOT NULL DEFAULT 0,
    low_alerts       INTEGER       NOT NULL DEFAULT 0,
    minimal_alerts   INTEGER       NOT NULL DEFAULT 0,
    max_fraud_score  NUMERIC(5, 4) NOT NULL DEFAULT 0,
    last_alert_at    TIMESTAMPTZ,
    risk_level       TEXT          NOT NULL DEFAULT 'MINIMAL',
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),

    CONSTRAINT user_accounts_risk_level_check
        CHECK (risk_level IN ('MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    CONSTRAINT user_accounts_counts_check
        CHECK (alerts_total >= 0 AND critical_alerts >= 0 AND high_alerts >= 0
               AND medium_alerts >= 0 AND low_alerts >= 0 AND minimal_alerts >= 0),
    CONSTRAINT user_accounts_max_fraud_score_check
        CHECK (max_fraud_score >= 0 AND max_fraud_score <= 1)
);

COMMENT ON TABLE user_accounts IS 'Per-user risk profile: alert counts by severity, last alert, current risk level.';

-- "Riskiest users right now".
CREATE INDEX user_accounts_risk_idx ON user_accounts (risk_level, last_alert_at DESC);

CREATE TRIGGER user_accounts_set_updated_at
    BEFORE UPDATE ON user_accounts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
