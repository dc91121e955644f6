using Amazon.Runtime;
using ShardStore.S3;

namespace ShardPack.Sync;

/// <summary>The objects under an S3 prefix, read by ranged GETs of the version each had when opened.</summary>
internal sealed class S3DatasetSource(S3ObjectStore store) : IDatasetSource
{
    public string Location => store.Location.ToString();

    public string GetUri(string name) => store.Location.GetUri(name);

    public async Task<ISourceObject?> TryOpenAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return new S3SourceObject(await store.OpenAsync(name, cancellationToken).ConfigureAwait(false));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (AmazonServiceException e)
        {
            throw new IOException($"{GetUri(name)}: the storage refused to open the object ({(int)e.StatusCode} {e.ErrorCode}: {e.Message})", e);
        }
    }

    public void Dispose() => store.Dispose();
}
