using Microsoft.Win32.SafeHandles;

namespace ShardStore.Images.Interop;

/// <summary>Owns one TurboJPEG compressor instance (<c>tjhandle</c>); it is destroyed only from <see cref="ReleaseHandle"/>.</summary>
/// <remarks>A compressor keeps per-call state (the libjpeg structures and the last error text), so one instance serves one thread at a time.</remarks>
internal sealed class TurboJpegCompressorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes an empty handle; the interop marshaller fills it from <c>tjInitCompress</c>.</summary>
    public TurboJpegCompressorHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a compressor.</summary>
    /// <exception cref="InsufficientMemoryException">The library could not allocate the instance.</exception>
    internal static TurboJpegCompressorHandle Create()
    {
        TurboJpegCompressorHandle handle = Interop.TurboJpeg.tjInitCompress();
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new InsufficientMemoryException("tjInitCompress could not allocate a TurboJPEG compressor.");
        }

        return handle;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.TurboJpeg.tjDestroy(handle) == 0;
}
