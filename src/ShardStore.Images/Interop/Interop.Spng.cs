using System.Runtime.InteropServices;
using ShardStore.Images.Internals;

namespace ShardStore.Images.Interop;

internal static partial class Interop
{
    /// <summary>The decoding part of libspng 0.7 (spng.h). Every call returns an error code; nothing long-jumps, unlike libpng's classic API.</summary>
    internal static unsafe partial class Spng
    {
        /// <summary>SPNG_OK.</summary>
        internal const int Ok = 0;

        /// <summary>SPNG_IO_EOF: the data ended before the image did.</summary>
        internal const int IoEof = -1;

        /// <summary>SPNG_EMEM: an allocation failed.</summary>
        internal const int OutOfMemory = 2;

        /// <summary>SPNG_FMT_RGB8: eight-bit RGB; alpha is dropped, gray is replicated, palettes are expanded, 16-bit samples keep their high byte.</summary>
        internal const int FormatRgb8 = 4;

        // The resolver must be registered before the first import is bound.
        static Spng() => NativeLibraryResolver.EnsureRegistered();

        [LibraryImport(Libraries.Spng)]
        internal static partial nint spng_ctx_new(int flags);

        [LibraryImport(Libraries.Spng)]
        internal static partial void spng_ctx_free(nint ctx);

        /// <remarks>The context keeps <paramref name="buf"/>: it must stay pinned until the context is freed.</remarks>
        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_set_png_buffer(nint ctx, byte* buf, nuint size);

        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_set_image_limits(nint ctx, uint width, uint height);

        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_set_chunk_limits(nint ctx, nuint chunkSize, nuint cacheSize);

        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_get_ihdr(nint ctx, out Ihdr ihdr);

        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_decoded_image_size(nint ctx, int fmt, out nuint len);

        [LibraryImport(Libraries.Spng)]
        internal static partial int spng_decode_image(nint ctx, byte* output, nuint len, int fmt, int flags);

        /// <remarks>Returns a pointer to a static string owned by the library.</remarks>
        [LibraryImport(Libraries.Spng)]
        internal static partial byte* spng_strerror(int err);

        /// <summary>Returns the library's text for an error code.</summary>
        internal static string GetErrorMessage(int error) =>
            Marshal.PtrToStringUTF8((nint)spng_strerror(error)) ?? "unknown error";

        /// <summary>struct spng_ihdr.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Ihdr
        {
            public uint Width;
            public uint Height;
            public byte BitDepth;
            public byte ColorType;
            public byte CompressionMethod;
            public byte FilterMethod;
            public byte InterlaceMethod;
        }
    }
}
