using ShardStore.Compression;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Forwards to another codec and counts decodes.</summary>
internal sealed class CountingCodec(ChunkCodec inner) : ChunkCodec
{
    private long _decodes;

    public long Decodes => Interlocked.Read(ref _decodes);

    public override CodecKind Kind => inner.Kind;

    public override int DefaultLevel => inner.DefaultLevel;

    public override int MinLevel => inner.MinLevel;

    public override int MaxLevel => inner.MaxLevel;

    public override int GetMaxEncodedLength(int sourceLength) => inner.GetMaxEncodedLength(sourceLength);

    public override long GetMaxDecodedLength(long encodedLength) => inner.GetMaxDecodedLength(encodedLength);

    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten) =>
        inner.TryEncode(source, destination, level, out bytesWritten);

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        Interlocked.Increment(ref _decodes);
        return inner.TryDecode(source, destination, out bytesWritten);
    }
}
