-- Four-eyes (issue 19): a verdict that matters (CONFIRMED_FRAUD, and FALSE_POSITIVE on a CRITICAL alert when so
-- configured: Console:FourEyes) is proposed by one analyst and takes effect only when another approves it. One open
-- proposal per alert; the proposer can never decide their own (checked here too, not only by the console).
CREATE TABLE IF NOT EXISTS verdict_approvals (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_id        UUID        NOT NULL REFERENCES fraud_alerts (id),
    proposed_status TEXT        NOT NULL,
    proposed_by     TEXT        NOT NULL,
    note            TEXT,
    proposed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    decision        TEXT,
    decided_by      TEXT,
    decided_at      TIMESTAMPTZ,
    CONSTRAINT verdict_approvals_status_check CHECK (proposed_status IN ('CONFIRMED_FRAUD', 'FALSE_POSITIVE')),
    CONSTRAINT verdict_approvals_decision_check CHECK (decision IS NULL OR decision IN ('APPROVED', 'REJECTED')),
    CONSTRAINT verdict_approvals_decided_check CHECK ((decision IS NULL) = (decided_by IS NULL) AND (decision IS NULL) = (decided_at IS NULL)),
    CONSTRAINT verdict_approvals_four_eyes_check CHECK (decided_by IS NULL OR decided_by <> proposed_by)
);

CREATE UNIQUE INDEX IF NOT EXISTS verdict_approvals_one_open_idx ON verdict_approvals (alert_id) WHERE decision IS NULL;

-- The pending-approvals queue, oldest first.
CREATE INDEX IF NOT EXISTS verdict_approvals_pending_idx ON verdict_approvals (proposed_at, id) WHERE decision IS NULL;

GRANT SELECT, INSERT ON verdict_approvals TO stream_sentinel_analyst;
GRANT UPDATE (decision, decided_by, decided_at) ON verdict_approvals TO stream_sentinel_analyst;
