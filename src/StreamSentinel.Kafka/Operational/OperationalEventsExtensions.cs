using System.Text.Json.Nodes;
using Confluent.Kafka;
using StreamSentinel.Contracts;
using StreamSentinel.Kafka.DeadLetters;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.Kafka.Operational;

/// <summary>The audit events every consumer in the fleet records, in one shape whichever worker records them.</summary>
public static class OperationalEventsExtensions
{
    /// <summary><c>partitions.assigned</c> or <c>partitions.revoked</c> for <paramref name="group"/>.</summary>
    public static void PartitionsChanged(
        this IOperationalEvents events, string action, string group, string member, IReadOnlyCollection<TopicPartition> partitions, int? uncommittedLeft = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(partitions);
        var details = new JsonObject
        {
            ["member"] = member,
            ["partitions"] = Describe(partitions),
            ["count"] = partitions.Count,
        };
        if (uncommittedLeft is { } left)
        {
            details["uncommitted_messages_left"] = left;
        }

        events.Audit(action, "consumer_group", group, details);
    }

    /// <summary>One <c>messages.dead_lettered</c> per original topic, with the count per reason.</summary>
    public static void DeadLettered(this IOperationalEvents events, IEnumerable<DeadLetter> letters)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(letters);
        foreach (var topic in letters.GroupBy(l => l.Original.Topic))
        {
            var reasons = new JsonObject();
            foreach (var reason in topic.GroupBy(l => l.Reason))
            {
                reasons[reason.Key] = reason.Count();
            }

            var first = topic.First().Original;
            events.Audit(AuditActions.MessagesDeadLettered, "topic", topic.Key, new JsonObject
            {
                ["count"] = topic.Count(),
                ["reasons"] = reasons,
                ["first"] = $"{first.Partition.Value}@{first.Offset.Value}",
            });
        }
    }

    /// <summary>One <c>messages.skipped</c>: offsets of a partition that <paramref name="group"/> never read (see <see cref="OffsetGaps"/>).</summary>
    public static void MessagesSkipped(this IOperationalEvents events, string group, string member, OffsetGap gap)
    {
        ArgumentNullException.ThrowIfNull(events);
        events.Audit(AuditActions.MessagesSkipped, "consumer_group", group, new JsonObject
        {
            ["member"] = member,
            ["topic"] = gap.Topic,
            ["partition"] = gap.Partition,
            ["first_offset"] = gap.FirstMissing,
            ["last_offset"] = gap.LastMissing,
            ["count"] = gap.Count,
        });
    }

    /// <summary>"topic[0,1,2], other[5]": partitions grouped by topic, for logs and audit details.</summary>
    public static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.GroupBy(p => p.Topic).Select(g => $"{g.Key}[{string.Join(',', g.Select(p => p.Partition.Value).Order())}]"));
}
