namespace ShardStore.Internals.Caching;

/// <summary>One chunk of one dataset version in a cache directory.</summary>
internal readonly record struct CacheEntryName(string DatasetKey, int Shard, int Chunk);
