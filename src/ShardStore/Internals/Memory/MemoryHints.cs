using static ShardStore.Interop.Interop;

namespace ShardStore.Internals.Memory;

/// <summary>
/// Best-effort page hints for mapped shard ranges: madvise on Linux and macOS, PrefetchVirtualMemory on Windows; and
/// huge pages for large long-lived arrays on Linux. A hint that fails or is unsupported changes nothing but speed, so
/// failures are ignored.
/// </summary>
internal static unsafe class MemoryHints
{
    // The transparent huge page size of x86-64 and of arm64 with 4 KiB pages; elsewhere the hint covers less or nothing.
    private const long HugePageSize = 2 << 20;
    private static readonly long s_pageSize = Environment.SystemPageSize;
    private static volatile bool s_unavailable;

    static MemoryHints() => EnsureResolverRegistered();

    public static void Advise(byte* address, long length, MemoryAdvice advice)
    {
        if (s_unavailable || length <= 0)
        {
            return;
        }

        // madvise wants a page-aligned start: widen to whole pages for WillNeed, shrink to whole pages
        // for DontNeed so a neighbouring chunk's pages are not dropped.
        long start = (long)address;
        long end = start + length;
        long alignedStart = advice == MemoryAdvice.WillNeed ? start & ~(s_pageSize - 1) : (start + s_pageSize - 1) & ~(s_pageSize - 1);
        long alignedEnd = advice == MemoryAdvice.WillNeed ? end : end & ~(s_pageSize - 1);
        if (alignedEnd <= alignedStart)
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                if (advice == MemoryAdvice.WillNeed)
                {
                    var entry = new MemoryRangeEntry { VirtualAddress = (nint)alignedStart, NumberOfBytes = (nuint)(alignedEnd - alignedStart) };
                    PrefetchVirtualMemory(GetCurrentProcess(), 1, &entry, 0);
                }

                // Windows trims a read-only file view's pages from the working set by itself under pressure.
                return;
            }

            MAdvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), advice == MemoryAdvice.WillNeed ? MadvWillNeed : MadvDontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
        }
    }

    /// <summary>
    /// Asks Linux to back the whole 2 MiB pages inside <paramref name="array"/> with transparent huge pages, where the
    /// system allows them (<c>enabled</c> set to <c>always</c> or <c>madvise</c>): filling it then faults in one page
    /// per 2 MiB instead of 512. Call it before the array is written. Only worth it for large arrays that live long
    /// (on the large object heap, which the GC does not compact unless asked to); the hint stays with the memory, which is harmless.
    /// </summary>
    public static void AdviseHugePages<T>(T[] array)
        where T : unmanaged
    {
        fixed (T* first = array)
        {
            AdviseHugePages(first, (long)array.Length * sizeof(T));
        }
    }

    /// <summary>
    /// Asks Linux to back the whole 2 MiB pages inside native memory at <paramref name="start"/> with transparent huge
    /// pages, as <see cref="AdviseHugePages{T}(T[])"/> does for an array; call it before the memory is first written.
    /// </summary>
    public static void AdviseHugePages(void* start, long bytes)
    {
        if (s_unavailable || !OperatingSystem.IsLinux() || bytes < HugePageSize)
        {
            return;
        }

        long first = ((long)start + HugePageSize - 1) & ~(HugePageSize - 1);
        long end = ((long)start + bytes) & ~(HugePageSize - 1);
        if (end <= first)
        {
            return;
        }

        try
        {
            MAdvise((nint)first, (nuint)(end - first), MadvHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
        }
    }
}
