-- A login account for one kind of client, as a member of its group role (0006_least_privilege_roles.sql).
-- Created if missing, its password set to the one in that client's connection string either way, so rotating a
-- password is: change the connection string, run migrate. Identifiers and the password are quoted by format()
-- (%I, %L) on the server, never pasted into the SQL by the migrator; they arrive as transaction-local settings
-- because a DO block takes no parameters. Parameters: @account, @password, @group_role.
SELECT set_config('stream_sentinel.account', @account, true),
       set_config('stream_sentinel.password', @password, true),
       set_config('stream_sentinel.group_role', @group_role, true);

DO $$
DECLARE
    account    text := current_setting('stream_sentinel.account');
    group_role text := current_setting('stream_sentinel.group_role');
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = account AND (rolsuper OR rolcreaterole OR rolcreatedb)) THEN
        RAISE EXCEPTION 'account % may create roles or databases: a least-privilege account must not', account;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = account) THEN
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', account, current_setting('stream_sentinel.password'));
    ELSE
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', account, current_setting('stream_sentinel.password'));
    END IF;
    EXECUTE format('GRANT %I TO %I', group_role, account);
END
$$;
