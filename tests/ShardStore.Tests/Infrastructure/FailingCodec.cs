using System.Diagnostics.CodeAnalysis;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// An LZ4 codec that compresses the first <c>succeed</c> chunks normally and then throws
/// <see cref="IOException"/> from every further <see cref="TryEncode"/>, like a codec whose native
/// library fails half way through a pack. It is also its own <see cref="IChunkCodecProvider"/>.
/// </summary>
internal sealed class FailingCodec(int succeed) : ChunkCodec, IChunkCodecProvider
{
    private readonly ChunkCodec _inner = NativeCodecs.Lz4;
    private int _encodes;

    /// <summary>Gets the number of TryEncode calls so far, failed ones included.</summary>
    public int Encodes => Volatile.Read(ref _encodes);

    public override CodecKind Kind => CodecKind.Lz4;

    public override int DefaultLevel => _inner.DefaultLevel;

    public override int MinLevel => _inner.MinLevel;

    public override int MaxLevel => _inner.MaxLevel;

    public override int GetMaxEncodedLength(int sourceLength) => _inner.GetMaxEncodedLength(sourceLength);

    public override long GetMaxDecodedLength(long encodedLength) => _inner.GetMaxDecodedLength(encodedLength);

    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten)
    {
        int call = Interlocked.Increment(ref _encodes);
        if (call > succeed)
        {
            throw new IOException($"FailingCodec: injected failure in encode call {call}.");
        }

        return _inner.TryEncode(source, destination, level, out bytesWritten);
    }

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten) =>
        _inner.TryDecode(source, destination, out bytesWritten);

    public bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec)
    {
        codec = kind == CodecKind.Lz4 ? this : null;
        return codec is not null;
    }
}
