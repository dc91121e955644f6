using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs.Internals;

namespace ShardStore.Codecs.Interop;

/// <summary>Owns one native <c>ZSTD_CCtx</c>; it is freed only from <see cref="ReleaseHandle"/>.</summary>
internal sealed class ZstdCompressionContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes an empty handle; the interop marshaller fills it from <c>ZSTD_createCCtx</c>.</summary>
    public ZstdCompressionContextHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a native compression context.</summary>
    /// <exception cref="InsufficientMemoryException">The library could not allocate the context.</exception>
    internal static ZstdCompressionContextHandle Create()
    {
        ZstdCompressionContextHandle context = Interop.Zstd.ZSTD_createCCtx();
        if (context.IsInvalid)
        {
            context.Dispose();
            ThrowHelper.ThrowNativeAllocationFailed(nameof(Interop.Zstd.ZSTD_createCCtx));
        }

        return context;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.Zstd.ZSTD_isError(Interop.Zstd.ZSTD_freeCCtx(handle)) == 0;
}
