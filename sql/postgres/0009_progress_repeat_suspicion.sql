-- How far each partition's results must still be looked up in ClickHouse for repeats (issue 17). Detection marks a
-- result it publishes again with ss-may-repeat; after such a result every result of that partition up to this offset
-- is checked, because during a detection rebalance the unflagged copy of an event may land after the flagged one.
-- The worker that saw the flag records the window here, in the same transaction as the batch, so that a later owner
-- of the partition continues it instead of treating a fixed number of messages after every assignment as suspect.
-- -1: nothing to check.
ALTER TABLE persistence_progress ADD COLUMN IF NOT EXISTS repeat_suspect_until BIGINT NOT NULL DEFAULT -1;

COMMENT ON COLUMN persistence_progress.repeat_suspect_until IS
    'Results of this partition up to this offset are looked up in ClickHouse for repeats (-1: none).';
