using ShardStore.Codecs.Internals;
using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs;

/// <summary>LZ4 block format with the fast compressor (<c>LZ4_compress_default</c> / <c>LZ4_compress_fast</c>).</summary>
/// <remarks>
/// The level is LZ4's acceleration factor, so unlike the other codecs a higher level compresses less and
/// faster: 1 (the default) is <c>LZ4_compress_default</c>; 2 to 65537 pass through to <c>LZ4_compress_fast</c>,
/// where each step gives up a little ratio for speed.
/// </remarks>
internal sealed unsafe class Lz4Codec : ChunkCodec
{
    private const string Name = "LZ4";

    public override CodecKind Kind => CodecKind.Lz4;

    public override int DefaultLevel => 1;

    public override int MinLevel => 1;

    public override int MaxLevel => Lz4.AccelerationMax;

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
            // Both return 0 only when the destination is too small (the source size was checked above).
            bytesWritten = level == 1
                ? Lz4.LZ4_compress_default(src, dst, source.Length, destination.Length)
                : Lz4.LZ4_compress_fast(src, dst, source.Length, destination.Length, level);
            return bytesWritten > 0;
        }
    }

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten) =>
        Lz4Block.TryDecode(source, destination, out bytesWritten);
}
