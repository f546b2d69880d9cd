-- Issue 18: BI users should not read the raw identifiers of a payment (card_id, device_id, ip_address).
-- transaction_records_bi is transaction_records without them; the named BI queries (sql/bi) read it.
--
-- What this is and is not, on each server (README, "Security"):
-- * ClickHouse 18.16 has no GRANT at all: an account in users.xml reads every table of the databases it may
--   use (allow_databases), and a view in another database does not help (checked: an account limited to the
--   view's database is refused with "Access denied to database ..." when the view reads this one). So on 18.16
--   this view is where BI reads by convention, not a wall; the wall there is pseudonymisation at the gateway
--   (Gateway:Pseudonymisation:Key), which keeps the raw values out of Kafka and so out of ClickHouse.
-- * Current ClickHouse has column grants; the console still reads device_id through the same read-only
--   account, so revoking the columns needs a console account of its own first (issue 18, item 7).

CREATE VIEW IF NOT EXISTS transaction_records_bi AS
SELECT
    event_id,
    transaction_id,
    user_id,
    merchant_id,
    merchant_category,
    amount,
    currency,
    event_time,
    latitude,
    longitude,
    country,
    channel,
    ingested_at,
    kafka_topic,
    kafka_partition,
    kafka_offset,
    inserted_at
FROM transaction_records;
