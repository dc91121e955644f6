namespace ShardStore.Cuda.Interop;

/// <summary>
/// Pushes a context on the calling thread's context stack and pops it on dispose, so driver calls work on any
/// thread, including one where a framework made its own context current.
/// </summary>
internal readonly ref struct CudaContextScope
{
    private readonly CudaPrimaryContextHandle? _context;

    /// <summary>Pushes <paramref name="context"/>, keeping it alive until the scope ends.</summary>
    /// <exception cref="CudaException">The driver refuses the push.</exception>
    public CudaContextScope(CudaPrimaryContextHandle context)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        int result = Interop.CudaDriver.cuCtxPushCurrent_v2(context.DangerousGetHandle());
        if (result != Interop.CudaDriver.Success)
        {
            context.DangerousRelease();
            CudaException.ThrowIfFailed(result, "cuCtxPushCurrent_v2");
        }

        _context = context;
    }

    /// <summary>Pops the context pushed by the constructor.</summary>
    public void Dispose()
    {
        if (_context is { } context)
        {
            _ = Interop.CudaDriver.cuCtxPopCurrent_v2(out _);
            context.DangerousRelease();
        }
    }
}
