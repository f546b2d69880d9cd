-- The last batch span recorded for some partitions of a topic, and how far their repeats must still be looked up,
-- for recovery when they are assigned.
SELECT kafka_partition, first_offset, last_offset, min_event_time, max_event_time, repeat_suspect_until
FROM persistence_progress
WHERE consumer_group = @group AND topic = @topic AND kafka_partition = ANY(@partitions);
