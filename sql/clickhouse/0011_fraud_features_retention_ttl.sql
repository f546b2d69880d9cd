-- stream-sentinel: requires ttl
-- 0010 rebuilt fraud_features; on servers with TTL it gets back the one year of retention 0006 gave the old table.
-- On 18.16 this waits, like 0006, and `stream-sentinel retention` drops expired monthly partitions instead.

ALTER TABLE fraud_features MODIFY TTL event_time + INTERVAL 1 YEAR;
