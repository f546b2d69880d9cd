-- Which offsets of one partition, within one batch's span, a table already holds, with the event each one carried:
-- after a crash or a rebalance these are the rows not to insert again. The event-time bounds let ClickHouse skip
-- every other month.
-- Placeholders (filled with ClickHouseLiteral): {table}, {topic}, {partition}, {first_offset}, {last_offset},
-- {min_event_time}, {max_event_time}.
SELECT kafka_offset, event_id
FROM {table}
WHERE kafka_topic = {topic}
  AND kafka_partition = {partition}
  AND kafka_offset BETWEEN {first_offset} AND {last_offset}
  AND event_time BETWEEN {min_event_time} AND {max_event_time}
