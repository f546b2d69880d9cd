-- Where each persistence consumer group stands on each Kafka partition, written in the same transaction as the
-- batch's alerts. ClickHouse has no transactions and cannot deduplicate inserts, so the worker records here,
-- before it writes ClickHouse, which offsets (and which event times) the batch spans. After a crash or a
-- rebalance, the next owner of the partition checks ClickHouse for exactly that range and skips the rows it
-- finds; everything before the range was completed by an earlier batch. See README, "Exactly once".

CREATE TABLE persistence_progress (
    consumer_group   TEXT        NOT NULL,
    topic            TEXT        NOT NULL,
    kafka_partition  INTEGER     NOT NULL,
    -- The last batch of this partition: offsets first..last, event times min..max (for ClickHouse pruning).
    first_offset     BIGINT      NOT NULL,
    last_offset      BIGINT      NOT NULL,
    min_event_time   TIMESTAMPTZ NOT NULL,
    max_event_time   TIMESTAMPTZ NOT NULL,
    worker           TEXT        NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),

    PRIMARY KEY (consumer_group, topic, kafka_partition),
    CONSTRAINT persistence_progress_offsets_check CHECK (first_offset >= 0 AND last_offset >= first_offset)
);

COMMENT ON TABLE persistence_progress IS 'Per consumer group and partition: the offsets of the last batch written, for exactly-once recovery in ClickHouse.';
