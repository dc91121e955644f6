using System.Buffers;
using System.Runtime.InteropServices;

namespace ShardStore.Internals.Memory;

/// <summary>
/// Native memory aligned to <see cref="AlignedBufferPool.Alignment"/>, as reads that bypass the page cache
/// (<c>O_DIRECT</c>) need it; it never moves, so it can be read into from any thread. Disposing it gives it back to
/// its pool.
/// </summary>
internal sealed unsafe class AlignedBuffer : MemoryManager<byte>
{
    private readonly AlignedBufferPool _pool;

    // Set once; the pool frees the memory when it drops the buffer.
    private readonly byte* _pointer;

    /// <summary>Gets the usable length this rent asked for (at most <see cref="Capacity"/>).</summary>
    public int Length { get; private set; }

    /// <summary>Gets the bytes allocated.</summary>
    public int Capacity { get; }

    internal AlignedBuffer(AlignedBufferPool pool, int capacity)
    {
        _pool = pool;
        Capacity = capacity;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, AlignedBufferPool.Alignment);
    }

    internal void Lease(int length) => Length = length;

    internal void Free() => NativeMemory.AlignedFree(_pointer);

    public override Span<byte> GetSpan() => new(_pointer, Length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => _pool.Return(this);
}
