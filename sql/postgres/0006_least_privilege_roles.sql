-- Least privilege: two group roles (NOLOGIN) holding exactly what each kind of client does, so no worker or
-- analyst connects as the owner of the schema. `stream-sentinel migrate` makes the login accounts named by the
-- connection strings SS_POSTGRES_WRITER and SS_POSTGRES_ANALYST members of them (sql/migrator/postgres_login.sql).
-- Roles belong to the cluster, not the database: creating them is skipped when another database already did, or
-- when a migration of another database creates them at the same moment (the migrator locks one database only).
-- A later script that adds a table grants on it here too; the privilege tests list every table.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['stream_sentinel_writer', 'stream_sentinel_analyst'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO stream_sentinel_writer, stream_sentinel_analyst;

-- The persistence fleet: inserts alerts (never changing one: analysts' work and detection's scores stay as they are),
-- upserts users' accounts, appends audit events, records its progress per partition. It never deletes, and it
-- cannot create, alter or drop anything.
GRANT SELECT, INSERT ON fraud_alerts, system_audit_log TO stream_sentinel_writer;
GRANT SELECT, INSERT, UPDATE ON user_accounts, persistence_progress TO stream_sentinel_writer;

-- Analysts (the console): read alerts, accounts and the audit trail; move an alert along the workflow (its status
-- and assignee, nothing the detection wrote) and append the audit row of that change.
GRANT SELECT ON fraud_alerts, user_accounts, system_audit_log TO stream_sentinel_analyst;
GRANT UPDATE (status, assignee, updated_at) ON fraud_alerts TO stream_sentinel_analyst;
GRANT INSERT ON system_audit_log TO stream_sentinel_analyst;
