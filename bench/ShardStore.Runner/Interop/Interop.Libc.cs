using System.Runtime.InteropServices;

namespace ShardStore.Runner.Interop;

internal static partial class Interop
{
    /// <summary>POSIX_FADV_DONTNEED on Linux.</summary>
    internal const int PosixFadvDontNeed = 4;

    /// <summary>Schedules every dirty page of every file system for writing and waits for it (sync(2)).</summary>
    [LibraryImport(LibC, EntryPoint = "sync")]
    internal static partial void Sync();

    /// <summary>posix_fadvise(2); returns 0 or an error number (not through errno).</summary>
    [LibraryImport(LibC, EntryPoint = "posix_fadvise")]
    internal static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
