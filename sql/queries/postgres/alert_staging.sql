-- Per connection, emptied at every commit: the landing place of a batch's binary COPY.
CREATE TEMP TABLE IF NOT EXISTS alert_staging (
    transaction_id           TEXT,
    event_id                 CHAR(64),
    user_id                  TEXT,
    severity                 TEXT,
    fraud_score              NUMERIC(5, 4),
    business_rules_triggered TEXT[],
    explanation              JSONB,
    amount                   NUMERIC(18, 4),
    currency                 CHAR(3),
    merchant_id              TEXT,
    merchant_category        CHAR(4),
    country                  CHAR(2),
    model_name               TEXT,
    model_version            TEXT,
    event_time               TIMESTAMPTZ,
    detected_at              TIMESTAMPTZ
) ON COMMIT DELETE ROWS;
