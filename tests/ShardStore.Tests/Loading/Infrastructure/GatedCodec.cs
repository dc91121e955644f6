using System.Diagnostics.CodeAnalysis;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Tests.Loading.Infrastructure;

/// <summary>
/// An LZ4 codec whose decodes wait at a gate until the test opens it, so a test can hold the loader's workers
/// inside a decode (and its consumer waiting for a batch) for as long as it needs. It is its own provider.
/// </summary>
internal sealed class GatedCodec : ChunkCodec, IChunkCodecProvider, IDisposable
{
    private static readonly TimeSpan s_safetyTimeout = TimeSpan.FromSeconds(30);
    private readonly ChunkCodec _inner = NativeCodecs.Lz4;
    private readonly ManualResetEventSlim _gate = new(false);
    private int _waiting;

    /// <summary>Gets the number of decodes waiting at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public override CodecKind Kind => CodecKind.Lz4;

    public override int DefaultLevel => _inner.DefaultLevel;

    public override int MinLevel => _inner.MinLevel;

    public override int MaxLevel => _inner.MaxLevel;

    /// <summary>Lets every waiting and future decode through.</summary>
    public void Open() => _gate.Set();

    public override int GetMaxEncodedLength(int sourceLength) => _inner.GetMaxEncodedLength(sourceLength);

    public override long GetMaxDecodedLength(long encodedLength) => _inner.GetMaxDecodedLength(encodedLength);

    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten) =>
        _inner.TryEncode(source, destination, level, out bytesWritten);

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            // The timeout only keeps a broken test from hanging the run.
            _gate.Wait(s_safetyTimeout);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return _inner.TryDecode(source, destination, out bytesWritten);
    }

    public bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec)
    {
        codec = kind == CodecKind.Lz4 ? this : null;
        return codec is not null;
    }

    public void Dispose()
    {
        _gate.Set();
        _gate.Dispose();
    }
}
