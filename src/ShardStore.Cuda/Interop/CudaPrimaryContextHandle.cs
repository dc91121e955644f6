using Microsoft.Win32.SafeHandles;

namespace ShardStore.Cuda.Interop;

/// <summary>
/// A retained reference to a device's primary context, the one the CUDA runtime (and so libtorch) uses, so device
/// pointers are valid in both; it is released only from <see cref="ReleaseHandle"/>.
/// </summary>
internal sealed class CudaPrimaryContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private CudaPrimaryContextHandle(nint context, int device)
        : base(ownsHandle: true)
    {
        SetHandle(context);
        Device = device;
    }

    /// <summary>Gets the CUdevice the context belongs to.</summary>
    public int Device { get; }

    /// <summary>Retains the primary context of the device with <paramref name="ordinal"/>.</summary>
    /// <exception cref="CudaException">The device does not exist or the driver fails.</exception>
    internal static CudaPrimaryContextHandle Retain(int ordinal)
    {
        CudaException.ThrowIfFailed(Interop.CudaDriver.cuDeviceGet(out int device, ordinal));
        CudaException.ThrowIfFailed(Interop.CudaDriver.cuDevicePrimaryCtxRetain(out nint context, device));
        return new CudaPrimaryContextHandle(context, device);
    }

    /// <summary>Makes the context current on this thread until the scope is disposed.</summary>
    /// <exception cref="CudaException">The driver refuses the push.</exception>
    internal CudaContextScope Enter() => new(this);

    /// <summary>
    /// Pushes the context for one release call made from another handle's <c>ReleaseHandle</c> (on any thread, the
    /// finalizer's included, where no context is current); never throws. Pop with <see cref="PopAfterRelease"/> when it returns true.
    /// </summary>
    internal bool TryPushForRelease() => Interop.CudaDriver.cuCtxPushCurrent_v2(handle) == Interop.CudaDriver.Success;

    /// <summary>Pops the context pushed by <see cref="TryPushForRelease"/>.</summary>
    internal static void PopAfterRelease() => _ = Interop.CudaDriver.cuCtxPopCurrent_v2(out _);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.CudaDriver.cuDevicePrimaryCtxRelease_v2(Device) == Interop.CudaDriver.Success;
}
