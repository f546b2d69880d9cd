using StreamSentinel.Domain.Persistence;

namespace StreamSentinel.PostgreSql.Persistence;

/// <summary>
/// What a consumer group recorded of one partition: the span of its last batch (nothing beyond
/// <see cref="PartitionSpan.LastOffset"/> can be in ClickHouse), and up to which offset results must still be looked
/// up for repeats (-1: none).
/// </summary>
public sealed record RecordedProgress(PartitionSpan Span, long RepeatSuspectUntil);
