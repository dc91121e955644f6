namespace ShardStore.Internals.Caching;

internal sealed partial class ChunkFileCache
{
    /// <summary>Gets whether the entry of (<paramref name="shard"/>, <paramref name="chunk"/>) is in the directory now (without reading it or counting a hit).</summary>
    public bool Contains(int shard, int chunk) => File.Exists(CacheLayout.EntryPath(_root, new CacheEntryName(_key, shard, chunk)));
}
