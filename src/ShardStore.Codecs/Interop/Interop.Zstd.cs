using System.Runtime.InteropServices;
using ShardStore.Codecs.Internals;

namespace ShardStore.Codecs.Interop;

internal static partial class Interop
{
    /// <summary>The simple and context APIs of libzstd (zstd.h, zstd_errors.h), 1.5.x.</summary>
    internal static unsafe partial class Zstd
    {
        /// <summary>ZSTD_CLEVEL_DEFAULT, which the library also uses for level 0.</summary>
        internal const int CLevelDefault = 3;

        /// <summary>ZSTD_MAGICNUMBER: the first four bytes (little-endian) of every Zstandard data frame.</summary>
        internal const uint MagicNumber = 0xFD2FB528;

        /// <summary>ZSTD_CONTENTSIZE_UNKNOWN: the frame header does not declare its decoded size.</summary>
        internal const ulong ContentSizeUnknown = ulong.MaxValue;

        /// <summary>ZSTD_CONTENTSIZE_ERROR: the frame header is malformed, truncated or of an unsupported version.</summary>
        internal const ulong ContentSizeError = ulong.MaxValue - 1;

        /// <summary>ZSTD_error_memory_allocation from zstd_errors.h.</summary>
        internal const int ErrorMemoryAllocation = 64;

        /// <summary>ZSTD_error_dstSize_tooSmall from zstd_errors.h.</summary>
        internal const int ErrorDestinationTooSmall = 70;

        // See Interop.Lz4: the resolver must be registered before the first import is bound.
        static Zstd() => NativeLibraryResolver.EnsureRegistered();

        [LibraryImport(Libraries.Zstd)]
        internal static partial uint ZSTD_versionNumber();

        [LibraryImport(Libraries.Zstd)]
        internal static partial int ZSTD_minCLevel();

        [LibraryImport(Libraries.Zstd)]
        internal static partial int ZSTD_maxCLevel();

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_compressBound(nuint srcSize);

        [LibraryImport(Libraries.Zstd)]
        internal static partial uint ZSTD_isError(nuint code);

        [LibraryImport(Libraries.Zstd)]
        internal static partial int ZSTD_getErrorCode(nuint functionResult);

        /// <remarks>Returns a pointer to a static, NUL-terminated string owned by the library.</remarks>
        [LibraryImport(Libraries.Zstd)]
        internal static partial byte* ZSTD_getErrorName(nuint code);

        [LibraryImport(Libraries.Zstd)]
        internal static partial ZstdCompressionContextHandle ZSTD_createCCtx();

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_freeCCtx(nint cctx);

        [LibraryImport(Libraries.Zstd)]
        internal static partial ZstdDecompressionContextHandle ZSTD_createDCtx();

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_freeDCtx(nint dctx);

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_compressCCtx(
            ZstdCompressionContextHandle cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_decompressDCtx(
            ZstdDecompressionContextHandle dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

        [LibraryImport(Libraries.Zstd)]
        internal static partial ulong ZSTD_getFrameContentSize(byte* src, nuint srcSize);

        [LibraryImport(Libraries.Zstd)]
        internal static partial nuint ZSTD_findFrameCompressedSize(byte* src, nuint srcSize);

        /// <summary>Returns the library's name for a failed function result.</summary>
        internal static string GetErrorName(nuint code) =>
            Marshal.PtrToStringUTF8((nint)ZSTD_getErrorName(code)) ?? "unknown error";
    }
}
