namespace ShardStore.Internals.Memory;

/// <summary>A hard byte limit shared by several allocators; tracks the peak so tests can prove it was never exceeded.</summary>
internal sealed class MemoryBudget(long limitBytes)
{
    private readonly Lock _lock = new();
    private long _inUse;
    private long _peak;

    public long LimitBytes => limitBytes;

    public long InUseBytes => Volatile.Read(ref _inUse);

    public long PeakBytes => Volatile.Read(ref _peak);

    /// <summary>Raised with the change in bytes after every reservation or release (for metrics).</summary>
    public Action<long>? Changed { get; set; }

    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (_inUse + bytes > limitBytes)
            {
                return false;
            }

            _inUse += bytes;
            _peak = Math.Max(_peak, _inUse);
        }

        Changed?.Invoke(bytes);
        return true;
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _inUse -= bytes;
        }

        Changed?.Invoke(-bytes);
    }
}
