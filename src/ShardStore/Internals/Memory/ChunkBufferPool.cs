namespace ShardStore.Internals.Memory;

/// <summary>
/// Pinned buffers for decoded chunks under a hard byte budget that counts every buffer the pool has allocated,
/// whether rented or kept for reuse.
/// </summary>
internal sealed class ChunkBufferPool
{
    private const int SmallGranularity = 4 << 10;
    private const int LargeGranularity = 64 << 10;
    private readonly Lock _lock = new();
    private readonly MemoryBudget _budget;

    // Guarded by _lock: the buffers kept for reuse (and AllocatedBytes, RentedBytes).
    private readonly List<byte[]> _free = [];

    /// <summary>Creates a pool with a budget of its own.</summary>
    public ChunkBufferPool(long budgetBytes)
        : this(new MemoryBudget(budgetBytes))
    {
    }

    /// <summary>Creates a pool that allocates from a budget it shares with other allocators.</summary>
    public ChunkBufferPool(MemoryBudget budget) => _budget = budget;

    public long BudgetBytes => _budget.LimitBytes;

    /// <summary>Gets the bytes of all buffers the pool has allocated and not dropped.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Gets the bytes of buffers rented and not yet returned.</summary>
    public long RentedBytes { get; private set; }

    public bool TryRent(int size, out byte[] buffer)
    {
        lock (_lock)
        {
            // The most recently returned buffer that fits: it is the likeliest to still be in the CPU caches.
            int best = -1;
            for (int i = _free.Count - 1; i >= 0; i--)
            {
                int length = _free[i].Length;
                if (length >= size && length / 2 <= size)
                {
                    best = i;
                    break;
                }
            }

            if (best >= 0)
            {
                buffer = _free[best];
                _free.RemoveAt(best);
                RentedBytes += buffer.Length;
                return true;
            }

            long rounded = Math.Min(RoundUp(size), Array.MaxLength);
            while (!_budget.TryReserve(rounded))
            {
                if (_free.Count == 0)
                {
                    buffer = [];
                    return false;
                }

                Drop(_free.Count - 1);
            }

            buffer = GC.AllocateUninitializedArray<byte>((int)rounded, pinned: true);
            AllocatedBytes += rounded;
            RentedBytes += rounded;
            return true;
        }
    }

    public void Return(byte[] buffer)
    {
        lock (_lock)
        {
            RentedBytes -= buffer.Length;
            _free.Add(buffer);
        }
    }

    /// <summary>Drops every buffer kept for reuse, giving its bytes back to the budget.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            while (_free.Count > 0)
            {
                Drop(_free.Count - 1);
            }
        }
    }

    // Rounding lets buffers of similar chunks be reused; pages for small chunks so they do not waste the budget.
    internal static long RoundUp(long size)
    {
        long granularity = size < (1 << 20) ? SmallGranularity : LargeGranularity;
        return ((size + granularity - 1) / granularity) * granularity;
    }

    private void Drop(int index)
    {
        AllocatedBytes -= _free[index].Length;
        _budget.Release(_free[index].Length);
        _free.RemoveAt(index);
    }
}
