using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs.Internals;

namespace ShardStore.Codecs.Interop;

/// <summary>Owns one native <c>ZSTD_DCtx</c>; it is freed only from <see cref="ReleaseHandle"/>.</summary>
internal sealed class ZstdDecompressionContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes an empty handle; the interop marshaller fills it from <c>ZSTD_createDCtx</c>.</summary>
    public ZstdDecompressionContextHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a native decompression context.</summary>
    /// <exception cref="InsufficientMemoryException">The library could not allocate the context.</exception>
    internal static ZstdDecompressionContextHandle Create()
    {
        ZstdDecompressionContextHandle context = Interop.Zstd.ZSTD_createDCtx();
        if (context.IsInvalid)
        {
            context.Dispose();
            ThrowHelper.ThrowNativeAllocationFailed(nameof(Interop.Zstd.ZSTD_createDCtx));
        }

        return context;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.Zstd.ZSTD_isError(Interop.Zstd.ZSTD_freeDCtx(handle)) == 0;
}
