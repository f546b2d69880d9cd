-- The migrator's own record of what it applied to ClickHouse; created before any numbered script runs.
-- ClickHouse has no transactions: a row is written only after every statement of its script succeeded.
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version      UInt32,
    name         String,
    checksum     String,
    applied_at   DateTime DEFAULT now(),
    execution_ms UInt32
)
ENGINE = MergeTree
ORDER BY version
