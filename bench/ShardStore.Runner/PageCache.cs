using Microsoft.Win32.SafeHandles;
using static ShardStore.Runner.Interop.Interop;

namespace ShardStore.Runner;

/// <summary>Evicts files from the operating system's page cache, so the next read comes from the disk.</summary>
internal static class PageCache
{
    private const string DropCachesPath = "/proc/sys/vm/drop_caches";

    /// <summary>Gets how the last successful <see cref="TryDrop"/> dropped the cache.</summary>
    public static string Method { get; private set; } = "none yet";

    /// <summary>Describes how caches will be dropped on this machine, or why they cannot be.</summary>
    public static string Describe() =>
        !OperatingSystem.IsLinux() ? $"not possible: {NotLinuxReason}"
        : Environment.IsPrivilegedProcess ? $"sync + {DropCachesPath} as root (posix_fadvise DONTNEED per file if that fails)"
        : "posix_fadvise(POSIX_FADV_DONTNEED) per file (not root, so not drop_caches)";

    /// <summary>Drops the cached pages of <paramref name="files"/> (or the whole cache, as root on Linux).</summary>
    /// <returns>Null when dropped; otherwise why not, for a "skipped: ..." row.</returns>
    public static string? TryDrop(IReadOnlyList<string> files)
    {
        if (!OperatingSystem.IsLinux())
        {
            return NotLinuxReason;
        }

        if (files.Count > 0 && FileSystems.IsInMemory(files[0]))
        {
            return $"the files are on {FileSystems.TypeOf(files[0])}, which keeps them in memory; use --dir on a disk";
        }

        try
        {
            if (Environment.IsPrivilegedProcess && TryDropAll())
            {
                Method = "drop_caches";
                return null;
            }

            foreach (string file in files)
            {
                using SafeFileHandle handle = File.OpenHandle(file);

                // Only clean pages can be dropped: write back anything still dirty first.
                RandomAccess.FlushToDisk(handle);
                int error = Advise(handle);
                if (error != 0)
                {
                    return $"posix_fadvise failed with error {error} on {Path.GetFileName(file)}";
                }
            }

            Method = "posix_fadvise";
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"the C library could not be called ({e.Message})";
        }
    }

    private static string NotLinuxReason =>
        $"dropping the page cache needs Linux (drop_caches or posix_fadvise); this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private static bool TryDropAll()
    {
        Sync();
        try
        {
            File.WriteAllText(DropCachesPath, "3");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A container can mount /proc/sys read-only even for root: fall back to per-file advice.
            return false;
        }
    }

    private static int Advise(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
