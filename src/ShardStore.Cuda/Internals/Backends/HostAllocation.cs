using System.Runtime.InteropServices;

namespace ShardStore.Cuda.Internals.Backends;

/// <summary>One allocation of the host "device": aligned native memory, counted by its <see cref="HostBackend"/>.</summary>
internal sealed unsafe class HostAllocation : IDeviceAllocation
{
    private readonly HostBackend _owner;
    private void* _memory;

    /// <summary>Allocates <paramref name="bytes"/> aligned like cuMemAlloc (256 bytes).</summary>
    public HostAllocation(HostBackend owner, long bytes)
    {
        _owner = owner;
        Bytes = bytes;
        _memory = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 256);
        Pointer = (ulong)_memory;
    }

    /// <inheritdoc/>
    public ulong Pointer { get; }

    /// <inheritdoc/>
    public long Bytes { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_memory is not null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
            _owner.OnFreed(Bytes);
        }
    }
}
