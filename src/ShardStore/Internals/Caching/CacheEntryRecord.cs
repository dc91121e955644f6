namespace ShardStore.Internals.Caching;

/// <summary>What the cache state keeps of an entry: its length on disk and its last use (UTC ticks).</summary>
internal readonly record struct CacheEntryRecord(long Length, long LastUseTicks);
