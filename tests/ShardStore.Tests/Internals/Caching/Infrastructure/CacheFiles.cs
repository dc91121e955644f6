using ShardStore.Internals.Caching;

namespace ShardStore.Tests.Internals.Caching.Infrastructure;

/// <summary>Chunk contents for the cache tests, and the bytes a cache directory holds on disk.</summary>
internal static class CacheFiles
{
    /// <summary>Bytes that differ by shard, chunk and position, so a mixed-up or partial entry is caught.</summary>
    public static byte[] Chunk(int shard, int chunk, int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((shard * 131) + (chunk * 17) + i);
        }

        return bytes;
    }

    /// <summary>The sum of the lengths of every file under the dataset key folders: entries and temporary files.</summary>
    public static long BytesOnDisk(string root)
    {
        long total = 0;
        foreach (string keyDirectory in Directory.EnumerateDirectories(root))
        {
            foreach (string file in Directory.EnumerateFiles(keyDirectory, "*", SearchOption.AllDirectories))
            {
                try
                {
                    total += new FileInfo(file).Length;
                }
                catch (FileNotFoundException)
                {
                }
            }
        }

        return total;
    }

    /// <summary>
    /// <see cref="BytesOnDisk"/> while holding the directory's lock, as a cache process takes it: no entry is renamed or
    /// deleted meanwhile, so the sum is of one moment (files being written only grow, each up to its reservation).
    /// </summary>
    public static long BytesOnDiskLocked(string root)
    {
        var directoryLock = new CacheDirectoryLock(Path.Combine(root, CacheLayout.LockFileName), TimeSpan.FromSeconds(30));
        using CacheDirectoryLock.Held held = directoryLock.Acquire(out _);
        return BytesOnDisk(root);
    }

    public static string EntryPath(string root, string key, int shard, int chunk) =>
        CacheLayout.EntryPath(root, new CacheEntryName(key, shard, chunk));
}
