-- Issue 18: an alert is unique per event, not per transaction_id. transaction_id is chosen by the client: with
-- UNIQUE (transaction_id) and ON CONFLICT DO NOTHING, another client (or another user) reusing an id silently
-- suppressed a CRITICAL alert. event_id is derived from the transaction's identifying fields (user, card,
-- merchant, amount, currency, time and the id itself), so the same payment resent is still one alert, and two
-- different payments that share an id are two.
--
-- Safe on existing rows: the same event always has the same transaction_id, so rows unique by transaction_id are
-- unique by event_id too. The index replaces the constraint in one transaction; lookups by transaction_id (an
-- analyst searching for a payment) keep an index of their own.

CREATE UNIQUE INDEX IF NOT EXISTS fraud_alerts_event_id_key ON fraud_alerts (event_id);

ALTER TABLE fraud_alerts DROP CONSTRAINT IF EXISTS fraud_alerts_transaction_id_key;

CREATE INDEX IF NOT EXISTS fraud_alerts_transaction_id_idx ON fraud_alerts (transaction_id);
