-- A batch of audit events from the audit-events topic, set-based. Each event carries its own id: an event already
-- stored (a batch read again after a crash or a rebalance, or a message the producer sent twice) inserts nothing.
-- Parameters: arrays of one element per event, in the same order.
INSERT INTO system_audit_log (event_id, occurred_at, actor, action, entity_type, entity_id, details)
SELECT event.event_id, event.occurred_at, event.actor, event.action, event.entity_type, event.entity_id, event.details::jsonb
FROM unnest(@event_ids::uuid[], @occurred_ats::timestamptz[], @actors::text[], @actions::text[],
            @entity_types::text[], @entity_ids::text[], @details::text[])
     AS event (event_id, occurred_at, actor, action, entity_type, entity_id, details)
ON CONFLICT (event_id) DO NOTHING
