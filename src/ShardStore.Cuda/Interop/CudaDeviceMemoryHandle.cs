using Microsoft.Win32.SafeHandles;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Cuda.Interop;

/// <summary>Owns one cuMemAlloc allocation; it is freed only from <see cref="ReleaseHandle"/>, and keeps its context alive until then.</summary>
/// <remarks>CUdeviceptr is 64-bit; the ring only runs in 64-bit processes, where it fits the handle.</remarks>
internal sealed class CudaDeviceMemoryHandle : SafeHandleZeroOrMinusOneIsInvalid, IDeviceAllocation
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaDeviceMemoryHandle(CudaPrimaryContextHandle context, ulong pointer, long bytes)
        : base(ownsHandle: true)
    {
        _context = context;
        Bytes = bytes;
        SetHandle((nint)pointer);
    }

    /// <summary>Gets the device address.</summary>
    public ulong Pointer => (ulong)handle;

    /// <summary>Gets the allocation's size.</summary>
    public long Bytes { get; }

    /// <summary>Allocates <paramref name="bytes"/> of device memory in <paramref name="context"/>.</summary>
    /// <exception cref="CudaException">The device is out of memory or the driver fails.</exception>
    internal static CudaDeviceMemoryHandle Allocate(CudaPrimaryContextHandle context, long bytes)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                CudaException.ThrowIfFailed(Interop.CudaDriver.cuMemAlloc_v2(out ulong pointer, (nuint)bytes));
                return new CudaDeviceMemoryHandle(context, pointer, bytes);
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
        bool ok = false;
        if (Interop.CudaDriver.cuCtxPushCurrent_v2(_context.DangerousGetHandle()) == Interop.CudaDriver.Success)
        {
            ok = Interop.CudaDriver.cuMemFree_v2((ulong)handle) == Interop.CudaDriver.Success;
            _ = Interop.CudaDriver.cuCtxPopCurrent_v2(out _);
        }

        _context.DangerousRelease();
        return ok;
    }
}
