namespace ShardStore.Internals.Caching;

/// <summary>When the job will next need a chunk: the order a <see cref="ChunkFileCache"/> evicts in (farthest next use first).</summary>
/// <remarks>Called under the cache directory's lock, once per entry of the dataset when room is needed: keep it a lookup.</remarks>
internal interface INextUseOracle
{
    /// <summary>Returns the steps until (<paramref name="shard"/>, <paramref name="chunk"/>) is next needed (0 = now), or <see cref="long.MaxValue"/> when it is not in the known plan.</summary>
    long NextUse(int shard, int chunk);
}
