using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Loading.Infrastructure;

/// <summary>
/// An LZ4 codec that decodes normally until armed with <see cref="FailAt"/>; then the given decode from that
/// point on throws <see cref="IOException"/>, once, like a native library failing inside a loader's worker.
/// It is its own provider.
/// </summary>
internal sealed class FaultyDecodeCodec : Lz4Wrapper
{
    private int _countdown;

    /// <summary>Gets the number of injected failures so far.</summary>
    public int Failures { get; private set; }

    /// <summary>Makes the <paramref name="decode"/>-th decode from now (1 = the next) throw; 0 disarms.</summary>
    public void FailAt(int decode) => Volatile.Write(ref _countdown, decode);

    public override bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        if (Volatile.Read(ref _countdown) > 0 && Interlocked.Decrement(ref _countdown) == 0)
        {
            Failures++;
            throw new IOException("FaultyDecodeCodec: injected decode failure.");
        }

        return base.TryDecode(source, destination, out bytesWritten);
    }
}
