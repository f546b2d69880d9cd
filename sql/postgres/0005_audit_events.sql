-- Audit events published by the fleet (topic audit-events) carry their own id, made where the event happened.
-- The persistence fleet inserts them with ON CONFLICT DO NOTHING on that id, so a batch read again after a crash
-- or a rebalance stores each event once. Entries the database writes itself (alert.created, in the same
-- transaction as the alert) have no event id; a unique index ignores their NULLs.

ALTER TABLE system_audit_log ADD COLUMN event_id UUID;

COMMENT ON COLUMN system_audit_log.event_id IS 'Id of the audit event from Kafka (audit-events); NULL for entries written with an alert.';

CREATE UNIQUE INDEX system_audit_log_event_id_key ON system_audit_log (event_id);

-- "What did this worker (or analyst) do?", newest first.
CREATE INDEX system_audit_log_actor_idx ON system_audit_log (actor, occurred_at DESC);
