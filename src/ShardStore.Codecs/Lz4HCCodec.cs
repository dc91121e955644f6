using ShardStore.Codecs.Internals;
using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs;

/// <summary>LZ4 block format with the high-compression compressor (<c>LZ4_compress_HC</c>), decoded by the ordinary LZ4 decoder.</summary>
/// <remarks>Levels run from 1 to 12 (default 9); in liblz4 1.9 levels 1 and 2 search like level 2, and 10 to 12 use the optimal parser.</remarks>
internal sealed unsafe class Lz4HCCodec : ChunkCodec
{
    private const string Name = "LZ4HC";

    public override CodecKind Kind => CodecKind.Lz4HC;

    public override int DefaultLevel => Lz4.HCLevelDefault;

    public override int MinLevel => 1;

    public override int MaxLevel => Lz4.HCLevelMax;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sourceLength"/> is negative or above LZ4's 2,113,929,216-byte block limit.</exception>
    public override int GetMaxEncodedLength(int sourceLength) => Lz4Block.GetMaxEncodedLength(sourceLength);

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encodedLength"/> is negative.</exception>
    public override long GetMaxDecodedLength(long encodedLength) => Lz4Block.GetMaxDecodedLength(encodedLength);

    /// <exception cref="ArgumentException"><paramref name="source"/> is above LZ4's 2,113,929,216-byte block limit.</exception>
    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten)
    {
        if (level < MinLevel || level > MaxLevel)
        {
            ThrowHelper.ThrowLevelOutOfRange(Name, level, MinLevel, MaxLevel);
        }

        Lz4Block.ThrowIfSourceTooLarge(Name, source.Length, nameof(source));
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            // Returns 0 only when the destination is too small (the source size was checked above).
            bytesWritten = Lz4.LZ4_compress_HC(src, dst, source.Length, destination.Length, level);
            return bytesWritten > 0;
        }
    }

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten) =>
        Lz4Block.TryDecode(source, destination, out bytesWritten);
}
