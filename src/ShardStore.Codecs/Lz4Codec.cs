using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs;

/// <summary>LZ4 block format with the fast compressor (<c>LZ4_compress_default</c> / <c>LZ4_compress_fast</c>).</summary>
/// <remarks>
/// The level is LZ4's acceleration factor, so unlike the other codecs a higher level compresses less and
/// faster: 1 (the default) is <c>LZ4_compress_default</c>; 2 to 65537 pass through to <c>LZ4_compress_fast</c>,
/// where each step gives up a little ratio for speed.
/// </remarks>
internal sealed unsafe class Lz4Codec : Lz4BlockCodec
{
    protected override string Name => "LZ4";

    public override CodecKind Kind => CodecKind.Lz4;

    public override int DefaultLevel => 1;

    public override int MinLevel => 1;

    public override int MaxLevel => Lz4.AccelerationMax;

    protected override int Compress(byte* source, byte* destination, int sourceLength, int destinationCapacity, int level) =>
        level == 1
            ? Lz4.LZ4_compress_default(source, destination, sourceLength, destinationCapacity)
            : Lz4.LZ4_compress_fast(source, destination, sourceLength, destinationCapacity, level);
}
