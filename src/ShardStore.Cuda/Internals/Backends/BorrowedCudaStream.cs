namespace ShardStore.Cuda.Internals.Backends;

/// <summary>A CUstream owned by someone else (e.g. a framework's current stream); disposing it does nothing.</summary>
/// <param name="handle">The CUstream; zero is the legacy default stream.</param>
internal sealed class BorrowedCudaStream(nint handle) : IDeviceStream
{
    /// <inheritdoc/>
    public nint Handle { get; } = handle;

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
