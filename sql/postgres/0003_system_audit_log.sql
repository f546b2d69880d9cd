-- Who did what to which entity, and when: alert creation by workers, status changes by analysts,
-- schema migrations. Append-only by convention; nothing in the product updates or deletes it.

CREATE TABLE system_audit_log (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor        TEXT        NOT NULL,
    action       TEXT        NOT NULL,
    entity_type  TEXT        NOT NULL,
    entity_id    TEXT        NOT NULL,
    details      JSONB       NOT NULL DEFAULT '{}',

    CONSTRAINT system_audit_log_actor_check CHECK (actor <> ''),
    CONSTRAINT system_audit_log_action_check CHECK (action <> '')
);

COMMENT ON TABLE system_audit_log IS 'Append-only audit trail of workers and analysts.';

-- The history of one alert (or user, or migration), in order.
CREATE INDEX system_audit_log_entity_idx ON system_audit_log (entity_type, entity_id, occurred_at);

-- Recent activity across everything; BRIN keeps this tiny on an append-only table.
CREATE INDEX system_audit_log_occurred_at_idx ON system_audit_log USING brin (occurred_at);
