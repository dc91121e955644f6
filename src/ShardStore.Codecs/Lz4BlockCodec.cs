using ShardStore.Codecs.Internals;
using ShardStore.Compression;

namespace ShardStore.Codecs;

/// <summary>What the LZ4 codecs share: the block format's bounds, level and size checks, and the one decoder.</summary>
internal abstract unsafe class Lz4BlockCodec : ChunkCodec
{
    /// <summary>Gets the codec's name in error messages.</summary>
    protected abstract string Name { get; }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sourceLength"/> is negative or above LZ4's 2,113,929,216-byte block limit.</exception>
    public sealed override int GetMaxEncodedLength(int sourceLength) => Lz4Block.GetMaxEncodedLength(sourceLength);

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encodedLength"/> is negative.</exception>
    public sealed override long GetMaxDecodedLength(long encodedLength) => Lz4Block.GetMaxDecodedLength(encodedLength);

    /// <exception cref="ArgumentException"><paramref name="source"/> is above LZ4's 2,113,929,216-byte block limit.</exception>
    public sealed override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten)
    {
        if (level < MinLevel || level > MaxLevel)
        {
            ThrowHelper.ThrowLevelOutOfRange(Name, level, MinLevel, MaxLevel);
        }

        Lz4Block.ThrowIfSourceTooLarge(Name, source.Length, nameof(source));
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            // The compressors return 0 only when the destination is too small (the source size was checked above).
            bytesWritten = Compress(src, dst, source.Length, destination.Length, level);
            return bytesWritten > 0;
        }
    }

    public sealed override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten) =>
        Lz4Block.TryDecode(source, destination, out bytesWritten);

    /// <summary>Compresses one block with the codec's compressor; returns the bytes written, 0 when the destination is too small.</summary>
    protected abstract int Compress(byte* source, byte* destination, int sourceLength, int destinationCapacity, int level);
}
