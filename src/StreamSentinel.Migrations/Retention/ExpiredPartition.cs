namespace StreamSentinel.Migrations.Retention;

/// <summary>A ClickHouse partition whose rows are all past retention.</summary>
public sealed record ExpiredPartition(string Table, string Partition, long Rows);
