-- Every transaction that received a detection result, as it arrived. Written in bulk by the persistence
-- workers, one insert per batch. Statements are IF NOT EXISTS because ClickHouse has no transactional DDL:
-- a migration interrupted half-way is completed by running it again.
--
-- kafka_topic/kafka_partition/kafka_offset are the coordinates of the result message this row came from.
-- ClickHouse 18.16 cannot deduplicate inserts, so the writer uses them to find, after a crash, which
-- offsets a table already holds and to skip exactly those (see README, "Exactly once").

CREATE TABLE IF NOT EXISTS transaction_records
(
    event_id          String,
    transaction_id    String,
    user_id           String,
    card_id           String,
    merchant_id       String,
    merchant_category FixedString(4),
    amount            Decimal(18, 4),
    currency          FixedString(3),
    event_time        DateTime,
    latitude          Float64,
    longitude         Float64,
    country           FixedString(2),
    device_id         String,
    ip_address        String,
    channel           Enum8('POS' = 1, 'ECOMMERCE' = 2, 'ATM' = 3, 'MOBILE' = 4),
    ingested_at       Nullable(DateTime),
    kafka_topic       String,
    kafka_partition   Int32,
    kafka_offset      Int64,
    inserted_at       DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (user_id, event_time);
