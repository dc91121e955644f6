using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ShardStore.Internals.Memory;

/// <summary>
/// One native block, 2 MiB-aligned and backed by transparent huge pages where Linux allows them, that the batch slots
/// of a loader carve their fixed-width fields from; freed when the last slot that holds a piece of it lets go.
/// </summary>
/// <remarks>
/// Filling a batch in Window order writes each sample to another batch of the window, so with 4 KiB pages nearly every
/// copy misses the TLB once the slots span more than the TLB covers (a few MiB); over huge pages the same copies cost
/// about 10% less processor time per byte on the machines measured. The pieces are 4 KiB-aligned and never overlap a
/// page, so each can still be page-locked on its own for GPU copies. The block is rounded up to whole 2 MiB pages: the
/// last one may hold up to 2 MiB that no slot uses (touched, so backed, once a slot writes its part of that page);
/// the slots' budget reservations do not count it.
/// </remarks>
internal sealed unsafe class SlotArena
{
    /// <summary>The smallest block worth an arena: below it the TLB covers the slots anyway.</summary>
    public const long MinimumBytes = 4L << 20;

    private const long HugePage = 2L << 20;

    private readonly long _bytes;

    // Interlocked: pieces handed out and not yet released; the block is freed when it drops to zero after Seal.
    private int _holders = 1;

    // Used only by the thread that builds the slots (before Seal): where the next piece starts.
    private long _next;

    // Freed once, when _holders reaches zero.
    private byte* _block;

    private SlotArena(long bytes)
    {
        _bytes = (bytes + HugePage - 1) & ~(HugePage - 1);
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)_bytes, (nuint)HugePage);
        MemoryHints.AdviseHugePages(_block, _bytes);
    }

    /// <summary>Gets whether the block was freed (every piece released after <see cref="Seal"/>).</summary>
    public bool IsFreed => Volatile.Read(ref _holders) == 0;

    /// <summary>Gets the block's size: the bytes asked for, rounded up to whole 2 MiB pages.</summary>
    public long Bytes => _bytes;

    /// <summary>Creates an arena of at least <paramref name="bytes"/>, or returns null when that is too small to be worth one.</summary>
    public static SlotArena? TryCreate(long bytes) => bytes >= MinimumBytes ? new SlotArena(bytes) : null;

    /// <summary>Hands out the next <paramref name="bytes"/> (a multiple of 4 KiB); null when the arena is full.</summary>
    public byte* TryTake(long bytes)
    {
        Debug.Assert(bytes % 4096 == 0, "Pieces are whole pages.");
        if (_block is null || _next + bytes > _bytes)
        {
            return null;
        }

        byte* piece = _block + _next;
        _next += bytes;
        Interlocked.Increment(ref _holders);
        return piece;
    }

    /// <summary>Gives back one piece from <see cref="TryTake"/>; the last release (after <see cref="Seal"/>) frees the block.</summary>
    public void Release() => Drop();

    /// <summary>Ends the building: the block now lives exactly as long as the pieces handed out.</summary>
    public void Seal() => Drop();

    private void Drop()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            NativeMemory.AlignedFree(_block);
            _block = null;
        }
    }
}
