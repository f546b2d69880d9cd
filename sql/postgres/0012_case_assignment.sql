-- Assignment (issue 19): who owns a case. An analyst claims a case or assigns it to another known analyst (the
-- console checks the name against its configured users); the case's open alerts get the same assignee, each with
-- its audit row. "My queue" is the case queue filtered on assignee.
ALTER TABLE fraud_cases ADD COLUMN IF NOT EXISTS assignee TEXT;

-- One analyst's queue, latest activity first (the same keyset as fraud_cases_queue_idx).
CREATE INDEX IF NOT EXISTS fraud_cases_assignee_queue_idx
    ON fraud_cases (assignee, last_alert_at DESC, id DESC)
    WHERE assignee IS NOT NULL;

-- The console's analysts may change who owns a case, nothing else of it.
GRANT UPDATE (assignee, updated_at) ON fraud_cases TO stream_sentinel_analyst;
