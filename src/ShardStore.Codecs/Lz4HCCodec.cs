using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs;

/// <summary>LZ4 block format with the high-compression compressor (<c>LZ4_compress_HC</c>), decoded by the ordinary LZ4 decoder.</summary>
/// <remarks>Levels run from 1 to 12 (default 9); in liblz4 1.9 levels 1 and 2 search like level 2, and 10 to 12 use the optimal parser.</remarks>
internal sealed unsafe class Lz4HCCodec : Lz4BlockCodec
{
    protected override string Name => "LZ4HC";

    public override CodecKind Kind => CodecKind.Lz4HC;

    public override int DefaultLevel => Lz4.HCLevelDefault;

    public override int MinLevel => 1;

    public override int MaxLevel => Lz4.HCLevelMax;

    protected override int Compress(byte* source, byte* destination, int sourceLength, int destinationCapacity, int level) =>
        Lz4.LZ4_compress_HC(source, destination, sourceLength, destinationCapacity, level);
}
