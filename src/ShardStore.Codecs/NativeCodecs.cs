using System.Globalization;
using ShardStore.Codecs.Internals;
using ShardStore.Compression;

namespace ShardStore.Codecs;

/// <summary>Gives access to the LZ4, LZ4HC and Zstandard chunk codecs, implemented over the native liblz4 and libzstd.</summary>
/// <remarks>
/// The native libraries are loaded on first use of a codec, not when this class is touched, so an application
/// that only uses LZ4 does not need libzstd installed and vice versa. Every codec is safe to use from many
/// threads at once.
/// </remarks>
public static class NativeCodecs
{
    /// <summary>Gets the LZ4 block codec; its level is LZ4's acceleration factor, 1 (default, best ratio) to 65537 (fastest).</summary>
    /// <remarks>Calls that reach the native library throw <see cref="DllNotFoundException"/> when liblz4 cannot be loaded.</remarks>
    public static ChunkCodec Lz4 { get; } = new Lz4Codec();

    /// <summary>Gets the LZ4 high-compression codec, levels 1 to 12 (default 9), whose output the LZ4 decoder reads.</summary>
    /// <remarks>Calls that reach the native library throw <see cref="DllNotFoundException"/> when liblz4 cannot be loaded.</remarks>
    public static ChunkCodec Lz4HC { get; } = new Lz4HCCodec();

    /// <summary>Gets the Zstandard codec, levels <c>ZSTD_minCLevel()</c> to <c>ZSTD_maxCLevel()</c> (0 or 3 is the default), one frame per chunk.</summary>
    /// <remarks>Calls that reach the native library throw <see cref="DllNotFoundException"/> when libzstd cannot be loaded.</remarks>
    public static ChunkCodec Zstd { get; } = new ZstdCodec();

    /// <summary>Gets a provider that supplies <see cref="Lz4"/>, <see cref="Lz4HC"/> and <see cref="Zstd"/> by their <see cref="CodecKind"/>.</summary>
    public static IChunkCodecProvider Provider { get; } = new NativeCodecProvider(Lz4, Lz4HC, Zstd);

    /// <summary>Gets the version of the loaded liblz4, for example <c>1.9.4</c>.</summary>
    /// <exception cref="DllNotFoundException">liblz4 cannot be loaded; the message says what to install.</exception>
    public static string Lz4Version => FormatVersion(Interop.Interop.Lz4.LZ4_versionNumber());

    /// <summary>Gets the version of the loaded libzstd, for example <c>1.5.4</c>.</summary>
    /// <exception cref="DllNotFoundException">libzstd cannot be loaded; the message says what to install.</exception>
    public static string ZstdVersion => FormatVersion((int)Interop.Interop.Zstd.ZSTD_versionNumber());

    // Both libraries encode their version as major * 10000 + minor * 100 + release.
    private static string FormatVersion(int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{number / 10000}.{number / 100 % 100}.{number % 100}");
}
