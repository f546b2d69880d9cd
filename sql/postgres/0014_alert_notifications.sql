-- The live queue (issue 19): every console instance holds one LISTEN fraud_alerts connection and fans what it hears
-- out to its browsers (Server-Sent Events), so no console polls the alert table for news.
--
-- Statement-level triggers: the persistence fleet inserts a batch in one statement (a COPY through a staging table,
-- then one INSERT), so a batch is one notification, however many alerts it holds; a bulk action of the console is
-- one notification per statement too. NOTIFY is delivered at commit, only if the transaction commits, so a listener
-- never hears of an alert it cannot read yet. The payload stays small (PostgreSQL refuses more than 8000 bytes):
-- JSON {"kind": "created" | "changed", "count": n, "ids": [the first 100 ids]}; a client that needs more reloads.
-- Any role may NOTIFY and LISTEN: the writer's and the analyst's accounts need no grant for it.
CREATE OR REPLACE FUNCTION notify_fraud_alerts() RETURNS trigger
    LANGUAGE plpgsql
AS
$$
DECLARE
    total integer;
    first_ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*), (array_agg(id ORDER BY id))[1:100] INTO total, first_ids FROM new_rows;
    ELSE
        -- Only what an analyst sees change: the status or the owner (not the case the writer links a new alert to).
        SELECT count(*), (array_agg(n.id ORDER BY n.id))[1:100] INTO total, first_ids
        FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        WHERE n.status IS DISTINCT FROM o.status OR n.assignee IS DISTINCT FROM o.assignee;
    END IF;

    IF total > 0 THEN
        PERFORM pg_notify('fraud_alerts', json_build_object(
            'kind', CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'changed' END,
            'count', total,
            'ids', to_json(first_ids))::text);
    END IF;

    RETURN NULL;
END;
$$;

-- Transition tables allow one event per trigger: one trigger for inserts, one for updates.
DROP TRIGGER IF EXISTS fraud_alerts_notify_insert ON fraud_alerts;
CREATE TRIGGER fraud_alerts_notify_insert
    AFTER INSERT ON fraud_alerts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fraud_alerts();

DROP TRIGGER IF EXISTS fraud_alerts_notify_update ON fraud_alerts;
CREATE TRIGGER fraud_alerts_notify_update
    AFTER UPDATE ON fraud_alerts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fraud_alerts();
