using System.Runtime.InteropServices;
using ShardStore.Images.Internals;

namespace ShardStore.Images.Interop;

internal static partial class Interop
{
    /// <summary>
    /// The parts of libjpeg-turbo's TurboJPEG 2.x API (turbojpeg.h) in use: <c>tjInitDecompress</c>,
    /// <c>tjDecompressHeader3</c>, <c>tjDecompress2</c>, <c>tjGetScalingFactors</c> to decode; <c>tjInitCompress</c>,
    /// <c>tjBufSize</c>, <c>tjCompress2</c> to encode. Debian 12 ships 2.1.5
    /// (<c>libturbojpeg.so.0</c>); the <c>tj3*</c> functions exist only from 3.0, so they are not bound.
    /// </summary>
    internal static unsafe partial class TurboJpeg
    {
        /// <summary>TJPF_RGB: three bytes per pixel, R, G, B.</summary>
        internal const int PixelFormatRgb = 0;

        /// <summary>TJPF_CMYK: four bytes per pixel, as stored in the file (no Adobe inversion undone).</summary>
        internal const int PixelFormatCmyk = 11;

        /// <summary>TJCS_RGB: the JPEG stores RGB components without a colour transform.</summary>
        internal const int ColorSpaceRgb = 0;

        /// <summary>TJCS_YCbCr.</summary>
        internal const int ColorSpaceYCbCr = 1;

        /// <summary>TJCS_GRAY.</summary>
        internal const int ColorSpaceGray = 2;

        /// <summary>TJCS_CMYK.</summary>
        internal const int ColorSpaceCmyk = 3;

        /// <summary>TJCS_YCCK.</summary>
        internal const int ColorSpaceYcck = 4;

        /// <summary>TJFLAG_STOPONWARNING: treat the first libjpeg warning (for example truncated data) as fatal.</summary>
        internal const int FlagStopOnWarning = 8192;

        /// <summary>TJFLAG_LIMITSCANS: refuse progressive images with more than 500 scans, which could take unbounded time.</summary>
        internal const int FlagLimitScans = 32768;

        /// <summary>TJERR_WARNING: the last call completed but libjpeg reported a warning.</summary>
        internal const int ErrorWarning = 0;

        // The resolver must be registered before the first import is bound.
        static TurboJpeg() => NativeLibraryResolver.EnsureRegistered();

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial TurboJpegDecompressorHandle tjInitDecompress();

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial int tjDestroy(nint handle);

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial int tjDecompressHeader3(
            TurboJpegDecompressorHandle handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial int tjDecompress2(
            TurboJpegDecompressorHandle handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

        /// <remarks>Returns a pointer to a static array owned by the library.</remarks>
        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial ScalingFactor* tjGetScalingFactors(out int numScalingFactors);

        /// <remarks>Returns a pointer to a string owned by the handle (or thread-local storage for a null handle).</remarks>
        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial byte* tjGetErrorStr2(TurboJpegDecompressorHandle handle);

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial int tjGetErrorCode(TurboJpegDecompressorHandle handle);

        /// <summary>Returns the handle's message for its last failed call.</summary>
        internal static string GetErrorMessage(TurboJpegDecompressorHandle handle) =>
            Marshal.PtrToStringUTF8((nint)tjGetErrorStr2(handle)) ?? "unknown error";

        /// <summary>TJSAMP_444: no chroma subsampling.</summary>
        internal const int Subsampling444 = 0;

        /// <summary>TJSAMP_422: chroma halved horizontally.</summary>
        internal const int Subsampling422 = 1;

        /// <summary>TJSAMP_420: chroma halved in both directions.</summary>
        internal const int Subsampling420 = 2;

        /// <summary>TJFLAG_NOREALLOC: write into the caller's buffer, assumed to hold <c>tjBufSize</c> bytes, and never allocate or reallocate it.</summary>
        internal const int FlagNoRealloc = 1024;

        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial TurboJpegCompressorHandle tjInitCompress();

        /// <remarks>Returns the worst-case size of a JPEG image of the given size and subsampling, or <c>(unsigned long)-1</c> for bad arguments.</remarks>
        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial nuint tjBufSize(int width, int height, int jpegSubsamp);

        /// <remarks>
        /// With <see cref="FlagNoRealloc"/>, <paramref name="jpegBuf"/> points to the caller's buffer of at least
        /// <see cref="tjBufSize"/> bytes and <paramref name="jpegSize"/> receives the length written; the library then
        /// never allocates the output, so <c>tjFree</c> is never needed.
        /// </remarks>
        [LibraryImport(Libraries.TurboJpeg)]
        internal static partial int tjCompress2(
            TurboJpegCompressorHandle handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat, ref byte* jpegBuf, ref nuint jpegSize, int jpegSubsamp, int jpegQual, int flags);

        /// <remarks>Returns a pointer to a string owned by the handle.</remarks>
        [LibraryImport(Libraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
        internal static partial byte* tjGetCompressorErrorStr2(TurboJpegCompressorHandle handle);

        /// <summary>Returns the compressor's message for its last failed call.</summary>
        internal static string GetErrorMessage(TurboJpegCompressorHandle handle) =>
            Marshal.PtrToStringUTF8((nint)tjGetCompressorErrorStr2(handle)) ?? "unknown error";

        /// <summary>tjscalingfactor: a DCT-domain scaling factor <c>Num / Denom</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal readonly struct ScalingFactor(int num, int denom)
        {
            public readonly int Num = num;
            public readonly int Denom = denom;

            /// <summary>TJSCALED: the integer equivalent of <c>ceil(dimension * Num / Denom)</c>.</summary>
            public int Scale(int dimension) => (int)((((long)dimension * Num) + Denom - 1) / Denom);
        }
    }
}
