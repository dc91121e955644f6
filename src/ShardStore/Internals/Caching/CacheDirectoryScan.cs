namespace ShardStore.Internals.Caching;

/// <summary>Rebuilds a cache directory's state from the files in it: after a crash, a lost or corrupt state file, and on every open.</summary>
/// <remarks>
/// Runs under the directory's lock, when no entry is renamed or deleted, so what it finds is every entry and every
/// write in progress (a temporary file is created under the lock when its room is reserved, and its name holds the
/// size reserved). Temporary files not written for <c>strayAge</c> belong to a process that died mid-write and are
/// deleted. Last uses come from the previous state where it knew the entry, else from the file's modification time
/// (when it was written).
/// </remarks>
internal static class CacheDirectoryScan
{
    public static CacheState Scan(string root, CacheState? previous, TimeSpan strayAge, DateTime nowUtc)
    {
        var state = new CacheState();
        var rootInfo = new DirectoryInfo(root);
        foreach (DirectoryInfo keyDirectory in rootInfo.EnumerateDirectories())
        {
            if (!CacheLayout.IsValidKey(keyDirectory.Name))
            {
                continue;
            }

            foreach (DirectoryInfo shardDirectory in keyDirectory.EnumerateDirectories())
            {
                if (CacheLayout.TryParseNumber(shardDirectory.Name, out int shard))
                {
                    ScanShard(state, previous, keyDirectory.Name, shard, shardDirectory, strayAge, nowUtc);
                }
            }
        }

        return state;
    }

    private static void ScanShard(CacheState state, CacheState? previous, string key, int shard, DirectoryInfo directory, TimeSpan strayAge, DateTime nowUtc)
    {
        foreach (FileInfo file in directory.EnumerateFiles())
        {
            try
            {
                if (CacheLayout.TryParseNumber(file.Name, out int chunk))
                {
                    var name = new CacheEntryName(key, shard, chunk);
                    long lastUse = previous is not null && previous.TryGetEntry(name, out CacheEntryRecord known)
                        ? known.LastUseTicks
                        : file.LastWriteTimeUtc.Ticks;
                    state.AddEntry(name, new CacheEntryRecord(file.Length, lastUse));
                }
                else if (CacheLayout.TryParseTempFileName(file.Name, out int tempChunk, out long size, out ulong token))
                {
                    DateTime written = file.LastWriteTimeUtc;
                    if (nowUtc - written > strayAge)
                    {
                        file.Delete();
                    }
                    else
                    {
                        // The larger of the two: a file longer than its name says is counted as it stands.
                        state.AddReservation(token, new CacheReservation(new CacheEntryName(key, shard, tempChunk), Math.Max(size, file.Length), written.Ticks));
                    }
                }
            }
            catch (FileNotFoundException)
            {
                // Deleted since it was listed (a temporary file dropped by a writer whose reservation was lost).
            }
        }
    }
}
