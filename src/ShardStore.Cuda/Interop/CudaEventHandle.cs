using Microsoft.Win32.SafeHandles;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Interop;

/// <summary>Owns one CUevent (timing disabled); it is destroyed only from <see cref="ReleaseHandle"/>, and keeps its context alive until then.</summary>
internal sealed class CudaEventHandle : SafeHandleZeroOrMinusOneIsInvalid, IDeviceEvent
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaEventHandle(CudaPrimaryContextHandle context, nint @event)
        : base(ownsHandle: true)
    {
        _context = context;
        SetHandle(@event);
    }

    /// <summary>Creates an event for ordering only (CU_EVENT_DISABLE_TIMING).</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    internal static CudaEventHandle Create(CudaPrimaryContextHandle context)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                CudaException.ThrowIfFailed(Interop.CudaDriver.cuEventCreate(out nint @event, Interop.CudaDriver.EventDisableTiming));
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
        bool ok = Interop.CudaDriver.cuEventDestroy_v2(handle) == Interop.CudaDriver.Success;
        _context.DangerousRelease();
        return ok;
    }
}
