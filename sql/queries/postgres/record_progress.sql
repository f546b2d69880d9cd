-- The batch's span of each partition, in the same transaction as its alerts (see 0004_persistence_progress.sql).
-- last_offset never moves back: an owner still recovering a partition may write a smaller batch than the span its
-- predecessor recorded, and the next owner must still check up to the end of that span.
-- Parameters: @group, @worker, and one array per column, an element per partition.
INSERT INTO persistence_progress AS progress (consumer_group, topic, kafka_partition, first_offset, last_offset,
                                              min_event_time, max_event_time, worker, updated_at)
SELECT @group, span.topic, span.kafka_partition, span.first_offset, span.last_offset,
       span.min_event_time, span.max_event_time, @worker, now()
FROM unnest(@topics, @partitions, @first_offsets, @last_offsets, @min_event_times, @max_event_times)
     AS span (topic, kafka_partition, first_offset, last_offset, min_event_time, max_event_time)
ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE SET
    first_offset   = EXCLUDED.first_offset,
    last_offset    = greatest(progress.last_offset, EXCLUDED.last_offset),
    min_event_time = EXCLUDED.min_event_time,
    max_event_time = EXCLUDED.max_event_time,
    worker         = EXCLUDED.worker,
    updated_at     = EXCLUDED.updated_at;
