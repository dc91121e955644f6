using System.Diagnostics;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>
/// What a node-local chunk cache directory holds on disk, seen from outside the library: the entries live under
/// <c>&lt;dataset key&gt;/&lt;shard&gt;/&lt;chunk&gt;</c> (exactly a chunk's stored bytes), beside <c>cache.lock</c> and <c>cache.state</c>.
/// </summary>
internal static class CacheDirectory
{
    /// <summary>The lock file every cache process holds while it changes the directory's usage.</summary>
    public const string LockFileName = "cache.lock";

    /// <summary>Gets the sum of the lengths of every file under the dataset key folders: entries and files being written.</summary>
    public static long BytesOnDisk(string root)
    {
        long total = 0;
        foreach (var file in EntryFiles(root, includeTemporary: true))
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (FileNotFoundException)
            {
                // Evicted while we listed.
            }
        }

        return total;
    }

    /// <summary>
    /// <see cref="BytesOnDisk"/> while holding the directory's lock the way a cache process takes it (the lock file
    /// opened with <see cref="FileShare.None"/>, which .NET backs with <c>flock</c> on Unix): no entry is reserved,
    /// renamed or deleted meanwhile, so the sum is of one moment (a file being written only grows, up to its reservation).
    /// </summary>
    public static long BytesOnDiskLocked(string root, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            FileStream held;
            try
            {
                held = new FileStream(Path.Combine(root, LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (FileNotFoundException)
            {
                // No cache has opened the directory yet: nothing is in it.
                return BytesOnDisk(root);
            }
            catch (DirectoryNotFoundException)
            {
                return 0;
            }
            catch (IOException) when (clock.Elapsed < bound)
            {
                Thread.Sleep(1);
                continue;
            }
            catch (IOException e)
            {
                throw new AssertFailedException($"The cache lock in {root} was not free once within {bound}.", e);
            }

            using (held)
            {
                return BytesOnDisk(root);
            }
        }
    }

    /// <summary>Gets the entry files (and, when asked, the temporary files of writes in progress) of every dataset key, in ordinal order.</summary>
    public static IReadOnlyList<string> EntryFiles(string root, bool includeTemporary = false)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(root)
            .SelectMany(key => Directory.EnumerateFiles(key, "*", SearchOption.AllDirectories))
            .Where(f => includeTemporary || !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }
}
