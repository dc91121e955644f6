namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// An LZ4 codec that compresses the first <c>succeed</c> chunks normally and then throws
/// <see cref="IOException"/> from every further <see cref="TryEncode"/>, like a codec whose native
/// library fails half way through a pack. It is also its own <see cref="IChunkCodecProvider"/>.
/// </summary>
internal sealed class FailingCodec(int succeed) : Lz4Wrapper
{
    private int _encodes;

    /// <summary>Gets the number of TryEncode calls so far, failed ones included.</summary>
    public int Encodes => Volatile.Read(ref _encodes);

    public override bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten)
    {
        int call = Interlocked.Increment(ref _encodes);
        if (call > succeed)
        {
            throw new IOException($"FailingCodec: injected failure in encode call {call}.");
        }

        return base.TryEncode(source, destination, level, out bytesWritten);
    }
}
