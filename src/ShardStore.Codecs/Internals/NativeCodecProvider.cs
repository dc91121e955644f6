using System.Diagnostics.CodeAnalysis;
using ShardStore.Compression;

namespace ShardStore.Codecs.Internals;

/// <summary>Supplies the three native codecs by <see cref="CodecKind"/>.</summary>
internal sealed class NativeCodecProvider(ChunkCodec lz4, ChunkCodec lz4HC, ChunkCodec zstd) : IChunkCodecProvider
{
    public bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec)
    {
        codec = kind switch
        {
            CodecKind.Lz4 => lz4,
            CodecKind.Lz4HC => lz4HC,
            CodecKind.Zstd => zstd,
            _ => null,
        };
        return codec is not null;
    }
}
