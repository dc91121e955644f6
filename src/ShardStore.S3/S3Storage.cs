using ShardStore.S3.Internals;
using ShardStore.Storage;

namespace ShardStore.S3;

/// <summary>
/// Opens datasets in S3-compatible object storage: set <see cref="Provider"/> (or one from <see cref="CreateProvider"/>) as
/// <see cref="ShardDatasetOptions.ObjectStorage"/> and open <c>s3://bucket/prefix</c>.
/// </summary>
public static class S3Storage
{
    /// <summary>
    /// Gets the provider that opens <c>s3://</c> locations with the standard AWS configuration chain (endpoint, region,
    /// credentials and addressing from the environment and profile files, as <see cref="S3StorageOptions"/> describes) and
    /// the default timeouts; the chain is read each time a location is opened.
    /// </summary>
    public static IObjectStorageProvider Provider { get; } = new S3StorageProvider(null);

    /// <summary>Creates a provider that opens <c>s3://</c> locations with <paramref name="options"/>.</summary>
    /// <param name="options">Endpoint, region, credentials, addressing and retries; <see langword="null"/> for the configuration chain and defaults.</param>
    /// <returns>
    /// A provider whose <see cref="IObjectStorageProvider.TryOpen"/> returns null for anything but an <c>s3://</c> URI, throws
    /// <see cref="ArgumentException"/> for a malformed one, and otherwise returns an <see cref="S3ObjectStorage"/> with a
    /// client of its own, disposed with it.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive.</exception>
    public static IObjectStorageProvider CreateProvider(S3StorageOptions? options = null)
    {
        options?.Validate();
        return new S3StorageProvider(options);
    }
}
