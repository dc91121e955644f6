using ShardStore.Storage;

namespace ShardStore.S3.Internals;

/// <summary>Opens <c>s3://</c> locations with a client of their own, configured from the options and the AWS configuration chain.</summary>
/// <param name="options">Endpoint, region, credentials, addressing and retries; null for the configuration chain and defaults.</param>
internal sealed class S3StorageProvider(S3StorageOptions? options) : IObjectStorageProvider
{
    public IObjectStorage? TryOpen(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!S3Location.IsS3Uri(location))
        {
            return null;
        }

        return new S3ObjectStorage(S3ObjectStore.Create(location, options), ownsStore: true);
    }
}
