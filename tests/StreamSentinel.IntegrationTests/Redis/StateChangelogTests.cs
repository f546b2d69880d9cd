using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Redis.UserState;

namespace StreamSentinel.IntegrationTests.Redis;

/// <summary>The detection state's changelog against a real Redis: claims, fencing, checkpoints and reads.</summary>
public sealed class StateChangelogTests
{
    private const string Topic = "transactions";

    private ConnectionMultiplexer _redis = null!;
    private StateChangelog _changelog = null!;
    private string _prefix = null!;

    [SetUp]
    public async Task SetUp()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Current.Redis);
        _prefix = $"ss-test-{Guid.NewGuid():N}:";
        _changelog = new StateChangelog(_redis, Options.Create(new UserStateOptions { KeyPrefix = _prefix }));
    }

    [TearDown]
    public async Task TearDown()
    {
        var server = _redis.GetServers().Single();
        await foreach (var key in server.KeysAsync(pattern: _prefix + "*"))
        {
            await _redis.GetDatabase().KeyDeleteAsync(key);
        }

        await _redis.DisposeAsync();
    }

    [Test]
    public async Task A_first_claim_finds_nothing_applied_and_a_checkpoint_is_read_back_by_the_next_owner()
    {
        var first = await _changelog.ClaimAsync(Topic, 3, "w1", maxAhead: 1000, CancellationToken.None);
        var limit = await _changelog.WriteAsync(Topic, 3, first.Epoch, appliedOffset: 41, maxAhead: 1000, [new("u1", [1, 2, 3]), new("}u2{", [4])], CancellationToken.None);
        var next = await _changelog.ClaimAsync(Topic, 3, "w2", maxAhead: 1000, CancellationToken.None);
        var users = await _changelog.LoadAsync(Topic, 3, ["u1", "}u2{", "u3"], CancellationToken.None);
        var otherPartition = await _changelog.LoadAsync(Topic, 4, ["u1"], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(new PartitionClaim(1, -1, -1, 999)));
            Assert.That(limit, Is.EqualTo(1041));
            Assert.That(next, Is.EqualTo(new PartitionClaim(2, 41, 1041, 1041)), "the successor goes on from 41 and knows results up to 1041 may repeat");
            Assert.That(users, Is.EqualTo(new byte[]?[] { [1, 2, 3], [4], null }));
            Assert.That(otherPartition, Is.EqualTo(new byte[]?[] { null }), "each partition keeps its own users");
        }
    }

    [Test]
    public async Task A_claim_fences_the_previous_owner_whose_checkpoint_then_changes_nothing()
    {
        var zombie = await _changelog.ClaimAsync(Topic, 0, "zombie", maxAhead: 100, CancellationToken.None);
        await _changelog.WriteAsync(Topic, 0, zombie.Epoch, appliedOffset: 10, maxAhead: 100, [new("u1", [1])], CancellationToken.None);
        var owner = await _changelog.ClaimAsync(Topic, 0, "owner", maxAhead: 100, CancellationToken.None);

        var refused = await _changelog.WriteAsync(Topic, 0, zombie.Epoch, appliedOffset: 500, maxAhead: 100, [new("u1", [9])], CancellationToken.None);
        var accepted = await _changelog.WriteAsync(Topic, 0, owner.Epoch, appliedOffset: 20, maxAhead: 100, [new("u1", [2])], CancellationToken.None);
        var after = await _changelog.ClaimAsync(Topic, 0, "third", maxAhead: 100, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused, Is.Null, "the zombie is told it no longer owns the partition");
            Assert.That(accepted, Is.EqualTo(120));
            Assert.That(after.AppliedOffset, Is.EqualTo(20), "the zombie's offset 500 was never written");
            Assert.That(await _changelog.LoadAsync(Topic, 0, ["u1"], CancellationToken.None), Is.EqualTo(new byte[]?[] { [2] }));
        }
    }

    [Test]
    public async Task The_publishing_limit_only_grows_so_a_smaller_setting_never_hides_a_possible_repeat()
    {
        var wide = await _changelog.ClaimAsync(Topic, 1, "wide", maxAhead: 10_000, CancellationToken.None);
        await _changelog.WriteAsync(Topic, 1, wide.Epoch, appliedOffset: 100, maxAhead: 10_000, [], CancellationToken.None);
        var narrow = await _changelog.ClaimAsync(Topic, 1, "narrow", maxAhead: 10, CancellationToken.None);

        Assert.That((narrow.AppliedOffset, narrow.PreviousLimit, narrow.Limit), Is.EqualTo((100L, 10_100L, 10_100L)));
    }

    [Test]
    public async Task Thousands_of_users_in_one_checkpoint_are_all_written_and_read()
    {
        var claim = await _changelog.ClaimAsync(Topic, 2, "w", maxAhead: 10, CancellationToken.None);
        var users = Enumerable.Range(0, 5000).Select(i => new KeyValuePair<string, byte[]>($"user-{i}", BitConverter.GetBytes(i))).ToList();

        await _changelog.WriteAsync(Topic, 2, claim.Epoch, appliedOffset: 5, maxAhead: 10, users, CancellationToken.None);
        var read = await _changelog.LoadAsync(Topic, 2, [.. users.Select(u => u.Key)], CancellationToken.None);

        Assert.That(read.Select(r => BitConverter.ToInt32(r!)), Is.EqualTo(Enumerable.Range(0, 5000)));
    }

    [Test]
    public void A_partitions_keys_share_one_cluster_hash_tag_and_the_next_partition_has_its_own()
    {
        var tags = new[] { UserStateKeys.Users(_prefix, Topic, 7), UserStateKeys.Meta(_prefix, Topic, 7), UserStateKeys.Users("other:", Topic, 7) }
            .Select(k => HashTag(k!)).Distinct().ToList();

        Assert.That((tags.Single(), HashTag(UserStateKeys.Meta(_prefix, Topic, 8)!)), Is.EqualTo(("transactions/7", "transactions/8")));
    }

    // Redis Cluster's rule (cluster specification, "Hash tags"): the text between the first '{' and the next '}', when not empty.
    private static string HashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : key;
    }
}
