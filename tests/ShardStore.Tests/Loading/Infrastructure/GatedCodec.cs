using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Loading.Infrastructure;

/// <summary>
/// An LZ4 codec whose decodes wait at a gate until the test opens it, so a test can hold the loader's workers
/// inside a decode (and its consumer waiting for a batch) for as long as it needs. It is its own provider.
/// </summary>
internal sealed class GatedCodec : Lz4Wrapper, IDisposable
{
    private static readonly TimeSpan s_safetyTimeout = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _gate = new(false);
    private int _waiting;

    /// <summary>Gets the number of decodes waiting at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Lets every waiting and future decode through.</summary>
    public void Open() => _gate.Set();

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

        return base.TryDecode(source, destination, out bytesWritten);
    }

    public void Dispose()
    {
        _gate.Set();
        _gate.Dispose();
    }
}
