using ShardStore.Internals.Caching;

namespace CacheStress;

/// <summary>A next-use plan that is redrawn now and then, as a loader's plan moves on: each chunk's next use, or none.</summary>
internal sealed class MovingPlan(int seed) : INextUseOracle
{
    // One thread only: the stress loop, which also makes every cache call.
    private readonly Random _random = new(seed);
    private readonly long[] _next = new long[StressChunks.Shards * StressChunks.ChunksPerShard];

    public void Redraw()
    {
        for (int i = 0; i < _next.Length; i++)
        {
            _next[i] = _random.Next(5) == 0 ? long.MaxValue : _random.Next(1000);
        }
    }

    public long NextUse(int shard, int chunk) => _next[(shard * StressChunks.ChunksPerShard) + chunk];
}
