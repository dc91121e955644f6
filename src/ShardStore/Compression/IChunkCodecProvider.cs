using System.Diagnostics.CodeAnalysis;

namespace ShardStore.Compression;

/// <summary>Supplies the codec implementations a reader or writer may use.</summary>
/// <remarks>
/// The core assembly carries no native dependency; the LZ4 and Zstandard codecs live in
/// <c>ShardStore.Codecs</c> (<c>NativeCodecs.Provider</c>). Chunks stored with <see cref="CodecKind.None"/>
/// need no provider.
/// </remarks>
public interface IChunkCodecProvider
{
    /// <summary>Looks up the codec for <paramref name="kind"/>.</summary>
    /// <param name="kind">The codec identifier.</param>
    /// <param name="codec">The codec, when this provider has one.</param>
    /// <returns><see langword="true"/> when the provider supplies <paramref name="kind"/>.</returns>
    bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec);
}
