-- One row per detection result: the score, the severity, what fired and why. The source of both
-- materialized views. It repeats the few transaction attributes that BI slices by (category, country,
-- amount), so that the views need no join.

CREATE TABLE IF NOT EXISTS detection_results
(
    event_id                 String,
    transaction_id           String,
    user_id                  String,
    fraud_score              Float64,
    severity                 Enum8('MINIMAL' = 1, 'LOW' = 2, 'MEDIUM' = 3, 'HIGH' = 4, 'CRITICAL' = 5),
    is_alert                 UInt8,
    business_rules_triggered Array(String),
    explanation              String,
    model_name               String,
    model_version            String,
    detection_latency_ms     Float64,
    event_time               DateTime,
    detected_at              DateTime,
    correlation_id           String,
    merchant_category        FixedString(4),
    country                  FixedString(2),
    amount                   Decimal(18, 4),
    kafka_topic              String,
    kafka_partition          Int32,
    kafka_offset             Int64,
    inserted_at              DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_time, user_id);
