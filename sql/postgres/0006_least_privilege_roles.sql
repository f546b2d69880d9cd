-- Least privilege: two group roles (NOLOGIN) holding exactly what each kind of client does, so no worker or
-- analyst connects as the owner of the schema. `stream-sentinel migrate` makes the login accounts named by the
-- connection strings SS_POSTGRES_WRITER and SS_POSTGRES_ANALYST members of them (sql/migrator/postgres_login.sql).
-- Roles belong to the cluster, not the database: creating them is skipped when another database already did.
-- A later script that adds a table grants on it here too; the privilege tests list every table.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stream_sentinel_writer') THEN
        CREATE ROLE stream_sentinel_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stream_sentinel_analyst') THEN
        CREATE ROLE stream_sentinel_analyst NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO stream_sentinel_writer, stream_sentinel_analyst;

-- The persistence fleet: upserts alerts and accounts (locking the rows it updates), appends audit events, records
-- its progress per partition. It never deletes, and it cannot create, alter or drop anything.
GRANT SELECT, INSERT, UPDATE ON fraud_alerts, user_accounts, persistence_progress TO stream_sentinel_writer;
GRANT SELECT, INSERT ON system_audit_log TO stream_sentinel_writer;

-- Analysts (the console): read alerts, accounts and the audit trail; move an alert along the workflow (its status
-- and assignee, nothing the detection wrote) and append the audit row of that change.
GRANT SELECT ON fraud_alerts, user_accounts, system_audit_log TO stream_sentinel_analyst;
GRANT UPDATE (status, assignee, updated_at) ON fraud_alerts TO stream_sentinel_analyst;
GRANT INSERT ON system_audit_log TO stream_sentinel_analyst;
