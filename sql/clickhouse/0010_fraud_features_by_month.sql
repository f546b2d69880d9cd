-- fraud_features partitioned by month only (issue 17). 0002 partitioned it by month and by the first digit of the
-- merchant category, so every insert made up to ten parts in this table alone; with MCC already leading the sort
-- key, the month is all the partition key needs, and a large block makes one part per month.
--
-- ClickHouse cannot change a table's partition key, so this rebuilds it: a new table, a copy, a rename, a catch-up copy
-- of rows that reached the old table meanwhile, and the old table dropped. No materialized view reads fraud_features,
-- so nothing else is touched. Run it with the persistence fleet stopped (as `migrate` is before the fleet starts).
--
-- Safe to run again after an interruption at any statement: the copies take only rows (by Kafka coordinates and
-- event id) the target does not hold yet, and the old table is dropped only after every row of it was copied. The
-- one unsafe moment is a crash between the rename and the catch-up copy *while workers were inserting*: rows they
-- wrote to the old table in between would be dropped by the re-run. The copies hold the target's coordinates in
-- memory (about 100 bytes a row).
-- On current servers, 0011 gives the new table the retention 0006 gave the old one.

CREATE TABLE IF NOT EXISTS fraud_features_by_month
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
    history_count         UInt32 DEFAULT 0,
    device_frequency      Float64 DEFAULT 0,
    device_age_seconds    Float64 DEFAULT 0,
    country_frequency     Float64 DEFAULT 0,
    category_frequency    Float64 DEFAULT 0,
    hour_frequency        Float64 DEFAULT 0,
    kafka_topic           String,
    kafka_partition       Int32,
    kafka_offset          Int64,
    inserted_at           DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (merchant_category, event_time, user_id);

INSERT INTO fraud_features_by_month
SELECT event_id, transaction_id, user_id, merchant_category, event_time, txn_count_1m, txn_count_1h, txn_count_24h,
       amount, amount_sum_1h, amount_sum_24h, amount_mean, amount_stddev, amount_zscore, distance_from_last_km,
       travel_speed_kmh, seconds_since_last, is_new_device, is_new_merchant, is_new_country, hour_of_day, fraud_score,
       model_version, history_count, device_frequency, device_age_seconds, country_frequency, category_frequency,
       hour_frequency, kafka_topic, kafka_partition, kafka_offset, inserted_at
FROM fraud_features
WHERE (kafka_topic, kafka_partition, kafka_offset, event_id) NOT IN
      (SELECT kafka_topic, kafka_partition, kafka_offset, event_id FROM fraud_features_by_month);

-- Left by a run interrupted after the catch-up copy below: every row of it is in fraud_features.
DROP TABLE IF EXISTS fraud_features_by_mcc;

RENAME TABLE fraud_features TO fraud_features_by_mcc, fraud_features_by_month TO fraud_features;

INSERT INTO fraud_features
SELECT event_id, transaction_id, user_id, merchant_category, event_time, txn_count_1m, txn_count_1h, txn_count_24h,
       amount, amount_sum_1h, amount_sum_24h, amount_mean, amount_stddev, amount_zscore, distance_from_last_km,
       travel_speed_kmh, seconds_since_last, is_new_device, is_new_merchant, is_new_country, hour_of_day, fraud_score,
       model_version, history_count, device_frequency, device_age_seconds, country_frequency, category_frequency,
       hour_frequency, kafka_topic, kafka_partition, kafka_offset, inserted_at
FROM fraud_features_by_mcc
WHERE (kafka_topic, kafka_partition, kafka_offset, event_id) NOT IN
      (SELECT kafka_topic, kafka_partition, kafka_offset, event_id FROM fraud_features);

DROP TABLE fraud_features_by_mcc;
