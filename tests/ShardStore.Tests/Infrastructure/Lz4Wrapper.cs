using System.Diagnostics.CodeAnalysis;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// The native LZ4 codec behind a test hook: derived doubles override <see cref="TryEncode"/> or
/// <see cref="TryDecode"/> and call the base. It is its own <see cref="IChunkCodecProvider"/>, for LZ4 only.
/// </summary>
internal abstract class Lz4Wrapper : ChunkCodec, IChunkCodecProvider
{
    private readonly ChunkCodec _inner = NativeCodecs.Lz4;

    public override CodecKind Kind => CodecKind.Lz4;

    public override int DefaultLevel => _inner.DefaultLevel;

    public override int MinLevel => _inner.MinLevel;

    public override int MaxLevel => _inner.MaxLevel;

    public override int GetMaxEncodedLength(int sourceLength) => _inner.GetMaxEncodedLength(sourceLength);

    public override long GetMaxDecodedLength(long encodedLength) => _inner.GetMaxDecodedLength(encodedLength);

    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten) =>
        _inner.TryEncode(source, destination, level, out bytesWritten);

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten) =>
        _inner.TryDecode(source, destination, out bytesWritten);

    public bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec)
    {
        codec = kind == CodecKind.Lz4 ? this : null;
        return codec is not null;
    }
}
