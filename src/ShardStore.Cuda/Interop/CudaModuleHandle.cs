using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Cuda.Interop;

/// <summary>Owns one CUmodule loaded from PTX text; it is unloaded only from <see cref="ReleaseHandle"/>, and keeps its context alive until then.</summary>
/// <remarks>A CUfunction from <see cref="GetFunction"/> belongs to the module: use it only while the module is alive.</remarks>
internal sealed unsafe class CudaModuleHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaModuleHandle(CudaPrimaryContextHandle context, nint module)
        : base(ownsHandle: true)
    {
        _context = context;
        SetHandle(module);
    }

    /// <summary>Loads <paramref name="ptx"/> (PTX assembly text), which the driver JIT-compiles for the device.</summary>
    /// <exception cref="CudaException">The driver refuses the text (e.g. CUDA_ERROR_INVALID_PTX) or fails.</exception>
    internal static CudaModuleHandle Load(CudaPrimaryContextHandle context, string ptx)
    {
        // The driver reads a NUL-terminated image.
        byte[] image = new byte[Encoding.ASCII.GetByteCount(ptx) + 1];
        Encoding.ASCII.GetBytes(ptx, image);
        bool added = false;
        context.DangerousAddRef(ref added);
        try
        {
            using (context.Enter())
            {
                fixed (byte* p = image)
                {
                    CudaException.ThrowIfFailed(Interop.CudaDriver.cuModuleLoadData(out nint module, p), "cuModuleLoadData");
                    return new CudaModuleHandle(context, module);
                }
            }
        }
        catch
        {
            context.DangerousRelease();
            throw;
        }
    }

    /// <summary>Returns the CUfunction of the kernel named <paramref name="name"/> (its .entry name).</summary>
    /// <exception cref="CudaException">The module has no such kernel (CUDA_ERROR_NOT_FOUND).</exception>
    internal nint GetFunction(string name)
    {
        nint utf8 = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            using (_context.Enter())
            {
                CudaException.ThrowIfFailed(Interop.CudaDriver.cuModuleGetFunction(out nint function, handle, (byte*)utf8), "cuModuleGetFunction");
                return function;
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(utf8);
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // Like every release: the context must be current, and this may run on the finalizer thread.
        bool ok = false;
        if (_context.TryPushForRelease())
        {
            ok = Interop.CudaDriver.cuModuleUnload(handle) == Interop.CudaDriver.Success;
            CudaPrimaryContextHandle.PopAfterRelease();
        }

        _context.DangerousRelease();
        return ok;
    }
}
