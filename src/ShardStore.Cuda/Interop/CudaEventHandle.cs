using Microsoft.Win32.SafeHandles;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Interop;

/// <summary>Owns one CUevent; it is destroyed only from <see cref="ReleaseHandle"/>, and keeps its context alive until then.</summary>
/// <remarks>
/// Every event is created with CU_EVENT_BLOCKING_SYNC: the ring's host waits (cuEventSynchronize) then sleep the
/// thread until the device signals, instead of spinning a core for the whole copy.
/// </remarks>
internal sealed class CudaEventHandle : SafeHandleZeroOrMinusOneIsInvalid, IDeviceEvent
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaEventHandle(CudaPrimaryContextHandle context, nint @event)
        : base(ownsHandle: true)
    {
        _context = context;
        SetHandle(@event);
    }

    /// <summary>The flags of an event for ordering and host waits.</summary>
    internal const uint OrderingFlags = Interop.CudaDriver.EventBlockingSync | Interop.CudaDriver.EventDisableTiming;

    /// <summary>The flags of an event that also records a timestamp (for cuEventElapsedTime).</summary>
    internal const uint TimingFlags = Interop.CudaDriver.EventBlockingSync;

    /// <summary>Creates an event for ordering only (<see cref="OrderingFlags"/>), or with <paramref name="timing"/> one that records a timestamp.</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    internal static CudaEventHandle Create(CudaPrimaryContextHandle context, bool timing = false)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                CudaException.ThrowIfFailed(Interop.CudaDriver.cuEventCreate(out nint @event, timing ? TimingFlags : OrderingFlags));
                return new CudaEventHandle(context, @event);
            }
        }
        catch
        {
            context.DangerousRelease();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // The destroy call needs the context current, and this may run on the finalizer thread, where none is.
        bool ok = false;
        if (_context.TryPushForRelease())
        {
            ok = Interop.CudaDriver.cuEventDestroy_v2(handle) == Interop.CudaDriver.Success;
            CudaPrimaryContextHandle.PopAfterRelease();
        }

        _context.DangerousRelease();
        return ok;
    }
}
