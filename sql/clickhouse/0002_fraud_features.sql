-- The features the detector saw for each transaction, for model training and drift analysis.
--
-- Partitioned by month and by the first digit of the merchant category (MCC) rather than by the full MCC:
-- a batch of a thousand results spans a hundred or more MCCs, and one part per partition per insert would
-- mean a hundred parts per batch (and "too many parts" on the server). The first digit groups MCCs into the
-- ISO 18245 ranges (travel, retail, services, ...), at most ten partitions per month.

CREATE TABLE IF NOT EXISTS fraud_features
(
    event_id              String,
    transaction_id        String,
    user_id               String,
    merchant_category     FixedString(4),
    event_time            DateTime,
    txn_count_1m          UInt32,
    txn_count_1h          UInt32,
    txn_count_24h         UInt32,
    amount                Decimal(18, 4),
    amount_sum_1h         Decimal(18, 4),
    amount_sum_24h        Decimal(18, 4),
    amount_mean           Float64,
    amount_stddev         Float64,
    amount_zscore         Float64,
    distance_from_last_km Float64,
    travel_speed_kmh      Float64,
    seconds_since_last    Float64,
    is_new_device         UInt8,
    is_new_merchant       UInt8,
    is_new_country        UInt8,
    hour_of_day           UInt8,
    fraud_score           Float64,
    model_version         String,
    kafka_topic           String,
    kafka_partition       Int32,
    kafka_offset          Int64,
    inserted_at           DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY (toYYYYMM(event_time), substring(merchant_category, 1, 1))
ORDER BY (merchant_category, event_time, user_id);
