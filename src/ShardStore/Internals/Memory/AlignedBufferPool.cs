using System.Diagnostics;

namespace ShardStore.Internals.Memory;

/// <summary>
/// Aligned native buffers for reads ahead of use, kept for reuse up to a byte limit: fresh memory from the OS is
/// zeroed page by page on first touch, which at disk speed costs a good part of a core (and a buffer allocated and freed
/// per read costs an mmap and munmap too). Capacities are rounded up to 64 KiB, so buffers of runs of similar length are
/// shared while the bytes kept stay close to the bytes asked for. Thread-safe.
/// </summary>
internal sealed class AlignedBufferPool(long keepBytes) : IDisposable
{
    /// <summary>The alignment of every buffer's address: a block of the file systems' direct reads, and a page.</summary>
    public const int Alignment = 4096;

    private const int Granularity = 64 << 10;

    // Guarded by _lock: buffers kept for reuse, their bytes, and whether the pool was disposed.
    private readonly Lock _lock = new();
    private readonly List<AlignedBuffer> _free = [];
    private long _freeBytes;
    private bool _disposed;

    // Interlocked: buffers allocated and not freed, rented or kept.
    private int _live;

    /// <summary>Gets how many buffers are allocated and not freed (rented or kept for reuse).</summary>
    public int LiveBuffers => Volatile.Read(ref _live);

    /// <summary>Gets the bytes of buffers kept for reuse.</summary>
    public long KeptBytes
    {
        get
        {
            lock (_lock)
            {
                return _freeBytes;
            }
        }
    }

    /// <summary>Rents a buffer of at least <paramref name="length"/> bytes; dispose it to return it.</summary>
    public AlignedBuffer Rent(int length)
    {
        int capacity = (int)Math.Min(int.MaxValue & ~(Alignment - 1), ((long)length + Granularity - 1) / Granularity * Granularity);
        AlignedBuffer? buffer = null;
        lock (_lock)
        {
            int best = -1;
            for (int i = 0; i < _free.Count; i++)
            {
                if (_free[i].Capacity >= length && (best < 0 || _free[i].Capacity < _free[best].Capacity))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                buffer = _free[best];
                _free.RemoveAt(best);
                _freeBytes -= buffer.Capacity;
            }
        }

        if (buffer is null)
        {
            buffer = new AlignedBuffer(this, capacity);
            Interlocked.Increment(ref _live);
        }

        buffer.Lease(length);
        return buffer;
    }

    /// <summary>Frees every kept buffer; buffers still rented are freed when returned.</summary>
    public void Dispose()
    {
        List<AlignedBuffer> freeing;
        lock (_lock)
        {
            _disposed = true;
            freeing = [.. _free];
            _free.Clear();
            _freeBytes = 0;
        }

        freeing.ForEach(Free);
    }

    internal void Return(AlignedBuffer buffer)
    {
        lock (_lock)
        {
            if (!_disposed && _freeBytes + buffer.Capacity <= keepBytes)
            {
                Debug.Assert(!_free.Contains(buffer), "A buffer was returned twice.");
                _free.Add(buffer);
                _freeBytes += buffer.Capacity;
                return;
            }
        }

        Free(buffer);
    }

    private void Free(AlignedBuffer buffer)
    {
        buffer.Free();
        Interlocked.Decrement(ref _live);
    }
}
