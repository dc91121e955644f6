using Microsoft.Win32.SafeHandles;

namespace ShardStore.Cuda.Interop;

/// <summary>
/// Owns the page-locking of one host range (cuMemHostRegister); it is unregistered only from
/// <see cref="ReleaseHandle"/>, which must run before the range is freed.
/// </summary>
internal sealed unsafe class CudaHostRegistrationHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaHostRegistrationHandle(CudaPrimaryContextHandle context, nint pointer, long bytes)
        : base(ownsHandle: true)
    {
        _context = context;
        Bytes = bytes;
        SetHandle(pointer);
    }

    /// <summary>Gets the start of the registered range.</summary>
    public nint Pointer => handle;

    /// <summary>Gets the length of the registered range.</summary>
    public long Bytes { get; }

    /// <summary>Page-locks <paramref name="bytes"/> at <paramref name="pointer"/> for every context (portable).</summary>
    /// <returns>The registration, or null when another owner in the process already registered the range.</returns>
    /// <exception cref="CudaException">The driver refuses the range.</exception>
    internal static CudaHostRegistrationHandle? Register(CudaPrimaryContextHandle context, nint pointer, long bytes, bool readOnly)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                uint flags = Interop.CudaDriver.MemHostRegisterPortable | (readOnly ? Interop.CudaDriver.MemHostRegisterReadOnly : 0);
                int result = Interop.CudaDriver.cuMemHostRegister_v2((void*)pointer, (nuint)bytes, flags);
                if (result == Interop.CudaDriver.ErrorHostMemoryAlreadyRegistered)
                {
                    // Already page-locked by someone else (e.g. a framework's pinned allocator): copies are async anyway.
                    context.DangerousRelease();
                    return null;
                }

                CudaException.ThrowIfFailed(result, "cuMemHostRegister_v2");
                return new CudaHostRegistrationHandle(context, pointer, bytes);
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
            ok = Interop.CudaDriver.cuMemHostUnregister((void*)handle) == Interop.CudaDriver.Success;
            _ = Interop.CudaDriver.cuCtxPopCurrent_v2(out _);
        }

        _context.DangerousRelease();
        return ok;
    }
}
