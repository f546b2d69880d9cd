namespace StreamSentinel.Domain.Persistence;

/// <summary>Where a message sits in Kafka; stored with every row so that a replay can be recognised.</summary>
public readonly record struct KafkaCoordinates(string Topic, int Partition, long Offset);
