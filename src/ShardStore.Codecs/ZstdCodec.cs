using System.Buffers.Binary;
using ShardStore.Codecs.Internals;
using ShardStore.Codecs.Interop;
using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs;

/// <summary>One Zstandard frame per chunk, through <c>ZSTD_compressCCtx</c> / <c>ZSTD_decompressDCtx</c>.</summary>
/// <remarks>
/// Levels run from <c>ZSTD_minCLevel()</c> (negative levels trade ratio for speed) to <c>ZSTD_maxCLevel()</c>;
/// 0 means the default, 3. Each thread keeps one native compression and one decompression context for its
/// lifetime, so calls neither share a context nor allocate one; a context's memory grows to what the highest
/// level used on that thread needs and is freed when the thread's context handle is finalized.
/// </remarks>
internal sealed unsafe class ZstdCodec : ChunkCodec
{
    /// <summary>The most output bytes any byte of a valid frame can account for.</summary>
    /// <remarks>
    /// Every block has a 3-byte header and at least one byte of content (an RLE block is header plus one byte),
    /// and the format caps a block's decoded size at 128 KiB (Block_Maximum_Size). So no 4 bytes of a frame decode
    /// to more than 131072 bytes, that is 32768 per byte; frame headers, checksums and skippable frames decode to
    /// nothing. libzstd 1.5.4 does not itself enforce the cap on RLE blocks, which is harmless here because the
    /// decoder never writes past the destination.
    /// </remarks>
    internal const long MaxExpansionRatio = 32768;

    private const string Name = "Zstandard";

    [ThreadStatic]
    private static ZstdCompressionContextHandle? s_compressionContext;

    [ThreadStatic]
    private static ZstdDecompressionContextHandle? s_decompressionContext;

    public override CodecKind Kind => CodecKind.Zstd;

    public override int DefaultLevel => Zstd.CLevelDefault;

    public override int MinLevel => Zstd.ZSTD_minCLevel();

    public override int MaxLevel => Zstd.ZSTD_maxCLevel();

    private static ZstdCompressionContextHandle CompressionContext =>
        s_compressionContext ??= ZstdCompressionContextHandle.Create();

    private static ZstdDecompressionContextHandle DecompressionContext =>
        s_decompressionContext ??= ZstdDecompressionContextHandle.Create();

    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="sourceLength"/> is negative, or so large that its bound does not fit in a span.
    /// </exception>
    public override int GetMaxEncodedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        nuint bound = Zstd.ZSTD_compressBound((nuint)sourceLength);
        if (Zstd.ZSTD_isError(bound) != 0 || bound > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(sourceLength), sourceLength, "The Zstandard bound for this length does not fit in a span; use smaller chunks.");
        }

        return (int)bound;
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encodedLength"/> is negative.</exception>
    public override long GetMaxDecodedLength(long encodedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(encodedLength);
        return encodedLength > long.MaxValue / MaxExpansionRatio ? long.MaxValue : encodedLength * MaxExpansionRatio;
    }

    /// <exception cref="InsufficientMemoryException">libzstd could not allocate its working memory.</exception>
    /// <exception cref="InvalidOperationException">libzstd reported an error other than a too-small destination.</exception>
    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten)
    {
        int minLevel = MinLevel;
        int maxLevel = MaxLevel;
        if (level < minLevel || level > maxLevel)
        {
            ThrowHelper.ThrowLevelOutOfRange(Name, level, minLevel, maxLevel);
        }

        // Pinned here rather than left to the library, so equal options give equal bytes with any libzstd.
        if (level == 0)
        {
            level = DefaultLevel;
        }

        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint result = Zstd.ZSTD_compressCCtx(
                CompressionContext, dst, (nuint)destination.Length, src, (nuint)source.Length, level);
            if (Zstd.ZSTD_isError(result) != 0)
            {
                if (Zstd.ZSTD_getErrorCode(result) != Zstd.ErrorDestinationTooSmall)
                {
                    ThrowHelper.ThrowZstdFailure(nameof(Zstd.ZSTD_compressCCtx), result);
                }

                bytesWritten = 0;
                return false;
            }

            bytesWritten = (int)result;
            return true;
        }
    }

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;

        // Exactly one data frame: ZSTD_decompressDCtx would also accept skippable frames and concatenations.
        if (source.Length < sizeof(uint) || BinaryPrimitives.ReadUInt32LittleEndian(source) != Zstd.MagicNumber)
        {
            return false;
        }

        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint sourceLength = (nuint)source.Length;
            ulong declared = Zstd.ZSTD_getFrameContentSize(src, sourceLength);
            if (declared == Zstd.ContentSizeError
                || (declared != Zstd.ContentSizeUnknown && declared > (ulong)destination.Length))
            {
                return false;
            }

            nuint frameLength = Zstd.ZSTD_findFrameCompressedSize(src, sourceLength);
            if (Zstd.ZSTD_isError(frameLength) != 0 || frameLength != sourceLength)
            {
                return false;
            }

            nuint result = Zstd.ZSTD_decompressDCtx(DecompressionContext, dst, (nuint)destination.Length, src, sourceLength);
            if (Zstd.ZSTD_isError(result) != 0)
            {
                return false;
            }

            bytesWritten = (int)result;
            return true;
        }
    }
}
