using System.Runtime.InteropServices;

namespace ShardStore.Interop;

internal static partial class Interop
{
    /// <summary>POSIX madvise advice values; identical on Linux and macOS.</summary>
    internal const int MadvWillNeed = 3;
    internal const int MadvDontNeed = 4;

    /// <summary>Linux only (macOS gives 14 another meaning): back the range with transparent huge pages where allowed.</summary>
    internal const int MadvHugePage = 14;

    [LibraryImport(LibC, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int MAdvise(nint address, nuint length, int advice);

    [LibraryImport(Kernel32, EntryPoint = "PrefetchVirtualMemory", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool PrefetchVirtualMemory(nint process, nuint numberOfEntries, MemoryRangeEntry* entries, uint flags);

    [LibraryImport(Kernel32, EntryPoint = "GetCurrentProcess")]
    internal static partial nint GetCurrentProcess();

    /// <summary>WIN32_MEMORY_RANGE_ENTRY.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MemoryRangeEntry
    {
        public nint VirtualAddress;
        public nuint NumberOfBytes;
    }
}
