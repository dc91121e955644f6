using Microsoft.Win32.SafeHandles;

namespace ShardStore.Images.Interop;

/// <summary>Owns one TurboJPEG decompressor instance (<c>tjhandle</c>); it is destroyed only from <see cref="ReleaseHandle"/>.</summary>
/// <remarks>A decompressor keeps per-call state (the libjpeg structures and the last error text), so one instance serves one thread at a time.</remarks>
internal sealed class TurboJpegDecompressorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes an empty handle; the interop marshaller fills it from <c>tjInitDecompress</c>.</summary>
    public TurboJpegDecompressorHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a decompressor.</summary>
    /// <exception cref="InsufficientMemoryException">The library could not allocate the instance.</exception>
    internal static TurboJpegDecompressorHandle Create()
    {
        TurboJpegDecompressorHandle handle = Interop.TurboJpeg.tjInitDecompress();
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InsufficientMemoryException("tjInitDecompress could not allocate a TurboJPEG decompressor.");
        }

        return handle;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.TurboJpeg.tjDestroy(handle) == 0;
}
