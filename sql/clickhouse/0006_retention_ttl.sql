-- stream-sentinel: requires ttl
-- Retention as in the design: raw transactions and results for two years, features for one.
-- TTL arrived in ClickHouse 19.6; the migrator applies this script only where the server supports it and
-- leaves it pending elsewhere (and says so). On 18.16, `stream-sentinel retention` drops expired monthly
-- partitions instead; see README, "Retention".

ALTER TABLE transaction_records MODIFY TTL event_time + INTERVAL 2 YEAR;

ALTER TABLE detection_results MODIFY TTL event_time + INTERVAL 2 YEAR;

ALTER TABLE fraud_features MODIFY TTL event_time + INTERVAL 1 YEAR;

ALTER TABLE fraud_rate_hourly_agg MODIFY TTL hour + INTERVAL 2 YEAR;

ALTER TABLE model_accuracy_hourly_agg MODIFY TTL hour + INTERVAL 2 YEAR;
