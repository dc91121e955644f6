using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda;

/// <summary>
/// A stream of the ring's device, on which the consumer orders its work after a batch's copy
/// (<see cref="DeviceBatch.WaitReady"/>) and before the batch's slot is refilled (<see cref="DeviceBatch.Release"/>).
/// </summary>
/// <remarks>
/// Get one from <see cref="DeviceRing.CreateStream"/> (a new non-blocking stream the ring owns) or, on CUDA,
/// <see cref="DeviceRing.WrapStream"/> (a framework's CUstream, not destroyed on dispose). Dispose it before the ring.
/// </remarks>
public sealed class DeviceStream : IDisposable
{
    private readonly DeviceRing _ring;
    private int _disposed;

    internal DeviceStream(DeviceRing ring, IDeviceStream inner)
    {
        _ring = ring;
        Inner = inner;
    }

    /// <summary>Gets the CUstream handle (0 for the legacy default stream, and on the host device).</summary>
    public nint Handle => Inner.Handle;

    internal IDeviceStream Inner { get; }

    internal DeviceRing Ring => _ring;

    /// <summary>Blocks the calling thread until all work issued on the stream has completed.</summary>
    /// <exception cref="CudaException">Work on the stream failed.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ring.Backend.Synchronize(Inner);
    }

    /// <summary>Destroys the stream if the ring created it (work already issued still completes). Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Inner.Dispose();
            _ring.ReleaseReference();
        }
    }

    /// <summary>Enqueues a read of device memory into host memory in this stream's order (checks: what consumer work would see).</summary>
    internal void CopyToHostAsync(ulong source, nint destination, long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ring.Backend.CopyDeviceToHostAsync(destination, source, bytes, Inner);
    }

    /// <summary>Enqueues host code that holds the stream while it runs: a stand-in for device work in tests and benchmarks.</summary>
    internal void LaunchHostWork(Action work)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ring.Backend.LaunchHostWork(Inner, work);
    }
}
