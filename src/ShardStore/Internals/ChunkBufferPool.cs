namespace ShardStore.Internals;

/// <summary>
/// Pinned buffers for decoded chunks under a hard byte budget that counts every buffer it has allocated,
/// whether rented or kept for reuse.
/// </summary>
internal sealed class ChunkBufferPool(long budgetBytes)
{
    private const int SmallGranularity = 4 << 10;
    private const int LargeGranularity = 64 << 10;
    private readonly List<byte[]> _free = [];
    private readonly Lock _lock = new();

    public long BudgetBytes => budgetBytes;

    /// <summary>Gets the bytes of all buffers the pool has allocated and not dropped.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Gets the bytes of buffers rented and not yet returned.</summary>
    public long RentedBytes { get; private set; }

    public bool TryRent(int size, out byte[] buffer)
    {
        lock (_lock)
        {
            int best = -1;
            for (int i = 0; i < _free.Count; i++)
            {
                int length = _free[i].Length;
                if (length >= size && length / 2 <= size && (best < 0 || length < _free[best].Length))
                {
                    best = i;
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
            while (AllocatedBytes + rounded > budgetBytes && _free.Count > 0)
            {
                AllocatedBytes -= _free[^1].Length;
                _free.RemoveAt(_free.Count - 1);
            }

            if (AllocatedBytes + rounded > budgetBytes)
            {
                buffer = [];
                return false;
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

    /// <summary>Drops every buffer kept for reuse.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (byte[] b in _free)
            {
                AllocatedBytes -= b.Length;
            }

            _free.Clear();
        }
    }

    // Rounding lets buffers of similar chunks be reused; pages for small chunks so they do not waste the budget.
    private static long RoundUp(int size)
    {
        long granularity = size < (1 << 20) ? SmallGranularity : LargeGranularity;
        return ((size + granularity - 1) / granularity) * granularity;
    }
}
