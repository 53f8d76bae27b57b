using CsCheck;
using ImageFactory.Engine.Distribution;

namespace ImageFactory.Engine.Tests.Distribution;

public sealed class ShardingTests
{
    private static readonly Gen<string> SubscriptionGen = Gen.Guid.Select(guid => guid.ToString("D"));

    private static readonly Gen<string> LabNameGen = Gen.Char["abcxyzABCXYZ0189-_"].Array[1, 12].Select(characters => new string(characters));

    // Pinned from an independent FNV-1a (32-bit, offset 2166136261, prime 16777619) over "sub/lab" lower-cased:
    // a change here splits every pipeline's labs differently, so it must be deliberate.
    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001", "Lab-A", 3, 2)]
    [InlineData("00000000-0000-0000-0000-000000000001", "Lab-A", 10, 2)]
    [InlineData("00000000-0000-0000-0000-000000000001", "Lab-A", 1000, 12)]
    [InlineData("00000000-0000-0000-0000-000000000001", "Lab-A", int.MaxValue, 843281365)]
    [InlineData("11111111-2222-3333-4444-555555555555", "DevLab", 3, 1)]
    [InlineData("11111111-2222-3333-4444-555555555555", "DevLab", 10, 6)]
    [InlineData("11111111-2222-3333-4444-555555555555", "DevLab", 1000, 656)]
    [InlineData("sub-1", "x", 1000, 444)]
    [InlineData("sub-1", "x", int.MaxValue, 94402797)]
    public void Shards_are_pinned_values_of_fnv1a(string subscriptionId, string labName, int shardCount, int expected) =>
        Assert.Equal(expected, Sharding.ShardOf(subscriptionId, labName, shardCount));

    [Fact]
    public void One_shard_holds_everything() =>
        Gen.Select(SubscriptionGen, LabNameGen).Sample((subscription, lab) => Sharding.ShardOf(subscription, lab, 1) == 0);

    [Fact]
    public void The_shard_ignores_case()
    {
        Assert.Equal(Sharding.ShardOf("ABCDEF00-0000-0000-0000-000000000001", "LAB-A", 1000), Sharding.ShardOf("abcdef00-0000-0000-0000-000000000001", "lab-a", 1000));
        Gen.Select(SubscriptionGen, LabNameGen, Gen.Int[1, 64]).Sample((subscription, lab, count) =>
            Sharding.ShardOf(subscription.ToUpperInvariant(), lab.ToUpperInvariant(), count) == Sharding.ShardOf(subscription, lab.ToLowerInvariant(), count));
    }

    [Fact]
    public void Every_shard_index_is_in_range() =>
        Gen.Select(SubscriptionGen, LabNameGen, Gen.Int[1, 1000]).Sample((subscription, lab, count) =>
        {
            var shard = Sharding.ShardOf(subscription, lab, count);
            return shard >= 0 && shard < count;
        });

    [Fact]
    public void The_shards_partition_any_set_of_labs()
    {
        var labs = Gen.Select(SubscriptionGen, LabNameGen).Array[0, 60];
        Gen.Select(labs, Gen.Int[1, 9]).Sample((set, count) =>
        {
            var distinct = set.Distinct().ToList();
            var shards = Enumerable.Range(0, count)
                .Select(index => distinct.Where(lab => Sharding.ShardOf(lab.Item1, lab.Item2, count) == index).ToList())
                .ToList();

            // Each lab in exactly one shard, and no lab lost: the shards are disjoint and cover the set.
            return shards.Sum(shard => shard.Count) == distinct.Count
                && shards.SelectMany(shard => shard).ToHashSet().SetEquals(distinct);
        });
    }

    [Fact]
    public void Many_labs_spread_over_every_shard()
    {
        var shards = Enumerable.Range(0, 400)
            .Select(index => Sharding.ShardOf("00000000-0000-0000-0000-000000000001", $"lab-{index}", 8))
            .GroupBy(shard => shard)
            .ToDictionary(group => group.Key, group => group.Count());

        Assert.Equal(Enumerable.Range(0, 8), shards.Keys.Order());
        Assert.All(shards.Values, count => Assert.InRange(count, 20, 80));
    }

    [Fact]
    public void A_shard_count_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sharding.ShardOf("s", "l", 0));
        Assert.Throws<ArgumentNullException>(() => Sharding.ShardOf(null!, "l", 2));
        Assert.Throws<ArgumentNullException>(() => Sharding.ShardOf("s", null!, 2));
    }
}
