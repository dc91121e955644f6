using ShardStore.Internals.Caching;

namespace ShardStore.Tests.Internals.Caching.Infrastructure;

/// <summary>A next-use plan set by the test: chunk to steps until its next use; chunks not set are outside the plan.</summary>
internal sealed class PlannedNextUse : INextUseOracle
{
    private readonly Dictionary<(int Shard, int Chunk), long> _next = [];

    public long this[int shard, int chunk]
    {
        set => _next[(shard, chunk)] = value;
    }

    public long NextUse(int shard, int chunk) => _next.TryGetValue((shard, chunk), out long next) ? next : long.MaxValue;
}
