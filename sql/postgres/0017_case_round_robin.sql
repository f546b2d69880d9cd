-- Round-robin assignment of new cases (issue 19, Console:AutoAssign): each case that nobody owns goes to the next
-- available analyst in turn. Any number of consoles may do it: the turn is one row they share, locked while one of
-- them assigns, so no case is assigned twice and the rotation does not restart with each console.
CREATE TABLE IF NOT EXISTS case_round_robin (
    -- One row, ever.
    id            BOOLEAN     PRIMARY KEY DEFAULT true CHECK (id),
    -- The analyst who got the last case; the next goes to whoever follows them among those available now.
    last_analyst  TEXT,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO case_round_robin (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

-- When the round-robin saw a case (assigned it, or found it already owned or closed). A case seen once is never
-- handed out again: an analyst who releases a case gives it back to the queue, not to the rotation.
-- Cases stored before this script count as seen: enabling the rotation hands out new work, not the backlog. (Only
-- when the column is new: run again, this script must not mark as seen the cases stored since.)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'fraud_cases' AND column_name = 'routed_at') THEN
        ALTER TABLE fraud_cases ADD COLUMN routed_at TIMESTAMPTZ;
        UPDATE fraud_cases SET routed_at = created_at;
    END IF;
END
$$;

-- What the rotation looks for, oldest first: the cases it has not seen, a handful at a time while it runs. (While no
-- console rotates, every new case stays here; a console that starts rotating hands out the open ones among them.)
CREATE INDEX IF NOT EXISTS fraud_cases_unrouted_idx ON fraud_cases (created_at, id) WHERE routed_at IS NULL;

GRANT SELECT, UPDATE ON case_round_robin TO stream_sentinel_analyst;
GRANT UPDATE (routed_at) ON fraud_cases TO stream_sentinel_analyst;
