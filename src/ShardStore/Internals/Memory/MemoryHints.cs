using static ShardStore.Interop.Interop;

namespace ShardStore.Internals.Memory;

/// <summary>
/// Best-effort page hints for mapped shard ranges: madvise on Linux and macOS, PrefetchVirtualMemory on Windows.
/// A hint that fails or is unsupported changes nothing but speed, so failures are ignored.
/// </summary>
internal static unsafe class MemoryHints
{
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
}
