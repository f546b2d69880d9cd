using System.Diagnostics.Metrics;
using Confluent.Kafka;
using StreamSentinel.Kafka.Diagnostics;

namespace StreamSentinel.IntegrationTests.Kafka;

/// <summary>What counts as messages a group never read (the persistence fleet's end-to-end case is in PersistenceFleetTests).</summary>
public sealed class OffsetGapsTests
{
    private static readonly TopicPartition Partition = new("transactions", 3);

    private Meter _meter = null!;

    [SetUp]
    public void CreateMeter() => _meter = new Meter($"test-{Guid.NewGuid():N}");

    [TearDown]
    public void DisposeMeter() => _meter.Dispose();

    [Test]
    public void A_first_message_beyond_the_committed_offset_and_a_later_jump_are_gaps()
    {
        var gaps = new OffsetGaps(_meter);
        Assign(gaps, 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gaps.Observe(Message(15)), Is.EqualTo(new OffsetGap("transactions", 3, 10, 14)));
            Assert.That(gaps.Observe(Message(16)), Is.Null);
            Assert.That(gaps.Observe(Message(20)), Is.EqualTo(new OffsetGap("transactions", 3, 17, 19)));
            Assert.That(new OffsetGap("transactions", 3, 17, 19).Count, Is.EqualTo(3));
        }
    }

    [Test]
    public void Contiguous_messages_and_messages_read_again_are_no_gap()
    {
        var gaps = new OffsetGaps(_meter);
        Assign(gaps, 10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gaps.Observe(Message(10)), Is.Null);
            Assert.That(gaps.Observe(Message(11)), Is.Null);
            // A seek back after a failed write reads 10 and 11 again.
            Assert.That(gaps.Observe(Message(10)), Is.Null);
            Assert.That(gaps.Observe(Message(11)), Is.Null);
            Assert.That(gaps.Observe(Message(12)), Is.Null);
        }
    }

    [Test]
    public void Without_a_committed_offset_or_after_a_revoke_nothing_is_expected()
    {
        var gaps = new OffsetGaps(_meter);
        Assign(gaps, Offset.Unset);
        Assert.That(gaps.Observe(Message(500)), Is.Null, "a new group starts wherever the topic starts");

        gaps.Revoked([Partition]);
        Assert.That(gaps.Observe(Message(900)), Is.Null, "a partition given up and read again is judged from its next assignment");
    }

    [Test]
    public void A_partition_awaits_its_committed_offset_from_assignment_until_it_is_given()
    {
        var gaps = new OffsetGaps(_meter);
        gaps.Assigned([Partition]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gaps.AwaitsCommitted(Partition), Is.True);
            gaps.Committed([new TopicPartitionOffset(Partition, 7)]);
            Assert.That(gaps.AwaitsCommitted(Partition), Is.False);
            Assert.That(gaps.Observe(Message(9)), Is.EqualTo(new OffsetGap("transactions", 3, 7, 8)));
        }
    }

    private static void Assign(OffsetGaps gaps, Offset committed)
    {
        gaps.Assigned([Partition]);
        gaps.Committed([new TopicPartitionOffset(Partition, committed)]);
    }

    private static ConsumeResult<byte[]?, byte[]?> Message(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Partition, offset),
        Message = new Message<byte[]?, byte[]?> { Value = [] },
    };
}
