using Amazon.Runtime;
using ShardStore.S3;

namespace ShardPack.Sync;

/// <summary>One S3 object opened for ranged reads of the version it had when opened.</summary>
internal sealed class S3SourceObject(S3ObjectReader reader) : ISourceObject
{
    public long Length => reader.Length;

    public string? LocalPath => null;

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            await reader.ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new IOException($"{reader.Uri}: the storage refused to read bytes {offset}-{offset + destination.Length - 1} ({(int)e.StatusCode} {e.ErrorCode}: {e.Message})", e);
        }
    }

    public void Dispose()
    {
        // A reader holds no connection between reads.
    }
}
