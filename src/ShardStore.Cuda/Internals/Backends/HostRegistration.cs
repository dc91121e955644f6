namespace ShardStore.Cuda.Internals.Backends;

/// <summary>An emulated page-lock of a host range: it only keeps count, so tests can see every range unregistered.</summary>
internal sealed class HostRegistration(HostBackend owner, nint pointer) : IDisposable
{
    private int _disposed;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            owner.OnUnregistered(pointer);
        }
    }
}
