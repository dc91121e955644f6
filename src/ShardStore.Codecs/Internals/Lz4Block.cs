using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Internals;

/// <summary>What the LZ4 and LZ4HC codecs share: the block bounds and the block decoder.</summary>
internal static unsafe class Lz4Block
{
    /// <summary>The most output bytes any one byte of a valid LZ4 block can account for.</summary>
    /// <remarks>
    /// Output comes from literals and matches. A literal is one input byte for one output byte (its length
    /// extension bytes add no output beyond the literals they count). A match costs at least its token and two
    /// offset bytes and yields 4 + 15 bytes from the token plus at most 255 per length extension byte. So no input
    /// byte yields more than 255 output bytes, and 255 x encoded length bounds every block.
    /// </remarks>
    internal const long MaxExpansionRatio = 255;

    internal static int GetMaxEncodedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourceLength, Lz4.MaxInputSize);
        return Lz4.LZ4_compressBound(sourceLength);
    }

    internal static long GetMaxDecodedLength(long encodedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(encodedLength);
        return encodedLength > long.MaxValue / MaxExpansionRatio ? long.MaxValue : encodedLength * MaxExpansionRatio;
    }

    internal static void ThrowIfSourceTooLarge(string codecName, int sourceLength, string paramName)
    {
        if (sourceLength > Lz4.MaxInputSize)
        {
            ThrowHelper.ThrowSourceTooLarge(codecName, sourceLength, Lz4.MaxInputSize, paramName);
        }
    }

    internal static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        // LZ4_decompress_safe never reads or writes outside the given ranges, whatever the input; an empty
        // source (a null pointer) is rejected by the library as malformed.
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            int result = Lz4.LZ4_decompress_safe(src, dst, source.Length, destination.Length);
            bytesWritten = Math.Max(result, 0);
            return result >= 0;
        }
    }
}
