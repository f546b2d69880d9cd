-- The migrator's own record of what it applied to PostgreSQL; created before any numbered script runs.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version      INTEGER     PRIMARY KEY,
    name         TEXT        NOT NULL,
    checksum     CHAR(64)    NOT NULL,
    applied_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_by   TEXT        NOT NULL DEFAULT current_user,
    execution_ms INTEGER     NOT NULL
);
