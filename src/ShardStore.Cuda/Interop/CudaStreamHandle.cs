using Microsoft.Win32.SafeHandles;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Interop;

/// <summary>Owns one CUstream; it is destroyed only from <see cref="ReleaseHandle"/>, and keeps its context alive until then.</summary>
internal sealed class CudaStreamHandle : SafeHandleZeroOrMinusOneIsInvalid, IDeviceStream
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaStreamHandle(CudaPrimaryContextHandle context, nint stream)
        : base(ownsHandle: true)
    {
        _context = context;
        SetHandle(stream);
    }

    /// <summary>Gets the CUstream.</summary>
    public nint Handle => handle;

    /// <summary>Creates a stream that does not synchronize with the legacy default stream (CU_STREAM_NON_BLOCKING).</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    internal static CudaStreamHandle Create(CudaPrimaryContextHandle context)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                CudaException.ThrowIfFailed(Interop.CudaDriver.cuStreamCreate(out nint stream, Interop.CudaDriver.StreamNonBlocking));
                return new CudaStreamHandle(context, stream);
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
        // cuStreamDestroy returns at once; work still queued on the stream completes first.
        bool ok = false;
        if (_context.TryPushForRelease())
        {
            ok = Interop.CudaDriver.cuStreamDestroy_v2(handle) == Interop.CudaDriver.Success;
            CudaPrimaryContextHandle.PopAfterRelease();
        }

        _context.DangerousRelease();
        return ok;
    }
}
