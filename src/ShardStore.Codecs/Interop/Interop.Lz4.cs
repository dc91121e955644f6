using System.Runtime.InteropServices;
using ShardStore.Codecs.Internals;

namespace ShardStore.Codecs.Interop;

internal static partial class Interop
{
    /// <summary>The LZ4 block API of liblz4 (lz4.h, lz4hc.h), 1.9.x.</summary>
    internal static unsafe partial class Lz4
    {
        /// <summary>LZ4_MAX_INPUT_SIZE: the largest source the block compressors accept.</summary>
        internal const int MaxInputSize = 0x7E000000;

        /// <summary>LZ4_ACCELERATION_MAX: larger accelerations are silently clamped by the library.</summary>
        internal const int AccelerationMax = 65537;

        /// <summary>LZ4HC_CLEVEL_DEFAULT.</summary>
        internal const int HCLevelDefault = 9;

        /// <summary>LZ4HC_CLEVEL_MAX: larger levels are silently clamped by the library.</summary>
        internal const int HCLevelMax = 12;

        // An explicit static constructor makes the first call into this class wait for it, so the
        // resolver is registered before the runtime binds any of the imports below.
        static Lz4() => NativeLibraryResolver.EnsureRegistered();

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_versionNumber();

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_compressBound(int inputSize);

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_compress_default(byte* src, byte* dst, int srcSize, int dstCapacity);

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_compress_fast(byte* src, byte* dst, int srcSize, int dstCapacity, int acceleration);

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_compress_HC(byte* src, byte* dst, int srcSize, int dstCapacity, int compressionLevel);

        [LibraryImport(Libraries.Lz4)]
        internal static partial int LZ4_decompress_safe(byte* src, byte* dst, int compressedSize, int dstCapacity);
    }
}
