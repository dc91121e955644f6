namespace ShardStore.Internals.Caching;

/// <summary>Room reserved for an entry being written under a temporary name: counted in the directory's usage until renamed into place or dropped.</summary>
/// <param name="Name">The entry it will become.</param>
/// <param name="Size">The bytes reserved, also written into the temporary file's name.</param>
/// <param name="CreatedTicks">When it was reserved (UTC ticks): an old reservation whose file is no longer written is stray.</param>
internal readonly record struct CacheReservation(CacheEntryName Name, long Size, long CreatedTicks);
