using System.Globalization;

namespace ImageFactory.Engine.Distribution;

/// <summary>
/// Deterministic sharding by target lab, so N jobs of an Azure Pipelines matrix each take a disjoint part of the
/// plan: a lab's shard depends only on its subscription and name (case-insensitive), never on order or machine.
/// </summary>
public static class Sharding
{
    public static int ShardOf(string subscriptionId, string labName, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(labName);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        // FNV-1a over the lower-cased identity: stable across processes and platforms (string.GetHashCode is not).
        var key = (subscriptionId + "/" + labName).ToLower(CultureInfo.InvariantCulture);
        var hash = 2166136261u;
        foreach (var character in key)
        {
            hash ^= character;
            hash *= 16777619u;
        }

        return (int)(hash % (uint)shardCount);
    }
}
