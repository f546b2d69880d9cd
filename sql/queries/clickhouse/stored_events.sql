-- Where detection_results already holds some events, by event id: a result the detection fleet published again (its
-- transaction was redelivered) must not be stored twice. Only results flagged as possible repeats are looked up, so
-- the list is short; the event-time bounds let ClickHouse skip every other month and most of the sort key.
-- Placeholders (filled with ClickHouseLiteral): {event_ids} (a list of string literals), {min_event_time},
-- {max_event_time}.
SELECT event_id, kafka_topic, kafka_partition, kafka_offset
FROM detection_results
WHERE event_time BETWEEN {min_event_time} AND {max_event_time}
  AND event_id IN ({event_ids})
