using ShardStore.S3;

namespace ShardPack.Sync;

/// <summary>One S3 object opened for ranged reads of the version it had when opened.</summary>
internal sealed class S3SourceObject(S3ObjectReader reader) : ISourceObject
{
    public long Length => reader.Length;

    public string? LocalPath => null;

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        reader.ReadAsync(offset, destination, cancellationToken);

    public void Dispose()
    {
        // A reader holds no connection between reads.
    }
}
