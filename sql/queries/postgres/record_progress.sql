-- The batch's span of each partition, in the same transaction as its alerts (see 0004_persistence_progress.sql).
-- last_offset never moves back: an owner still recovering a partition may write a smaller batch than the span its
-- predecessor recorded, and the next owner must still check up to the end of that span. repeat_suspect_until never
-- moves back either (see 0009_progress_repeat_suspicion.sql).
-- Parameters: @group, @worker, and one array per column, an element per partition.
INSERT INTO persistence_progress AS progress (consumer_group, topic, kafka_partition, first_offset, last_offset,
                                              min_event_time, max_event_time, repeat_suspect_until, worker, updated_at)
SELECT @group, span.topic, span.kafka_partition, span.first_offset, span.last_offset,
       span.min_event_time, span.max_event_time, span.repeat_suspect_until, @worker, now()
FROM unnest(@topics, @partitions, @first_offsets, @last_offsets, @min_event_times, @max_event_times, @repeat_suspect_until)
     AS span (topic, kafka_partition, first_offset, last_offset, min_event_time, max_event_time, repeat_suspect_until)
ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE SET
    first_offset         = EXCLUDED.first_offset,
    last_offset          = greatest(progress.last_offset, EXCLUDED.last_offset),
    min_event_time       = EXCLUDED.min_event_time,
    max_event_time       = EXCLUDED.max_event_time,
    repeat_suspect_until = greatest(progress.repeat_suspect_until, EXCLUDED.repeat_suspect_until),
    worker               = EXCLUDED.worker,
    updated_at           = EXCLUDED.updated_at;
