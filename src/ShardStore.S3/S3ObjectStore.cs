using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.S3.Internals;

namespace ShardStore.S3;

/// <summary>The objects under one <see cref="S3Location"/>: opens them for ranged reads and lists them.</summary>
/// <remarks>Safe to use from several threads at once. Disposing the store disposes the client only when the store created it.</remarks>
public sealed class S3ObjectStore : IDisposable
{
    // Immutable after construction.
    private readonly bool _ownsClient;

    /// <summary>Initializes a store over a client the caller keeps and disposes.</summary>
    /// <param name="client">The client.</param>
    /// <param name="location">The bucket and prefix.</param>
    /// <param name="options">Timeouts and retries; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive.</exception>
    public S3ObjectStore(IAmazonS3 client, S3Location location, S3StorageOptions? options = null)
        : this(client, location, options ?? new S3StorageOptions(), ownsClient: false)
    {
    }

    private S3ObjectStore(IAmazonS3 client, S3Location location, S3StorageOptions options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(location);
        options.Validate();
        Client = client;
        Location = location;
        Options = options;
        _ownsClient = ownsClient;
    }

    /// <summary>Gets the client.</summary>
    public IAmazonS3 Client { get; }

    /// <summary>Gets the bucket and prefix.</summary>
    public S3Location Location { get; }

    /// <summary>Gets the timeouts and retries every request uses.</summary>
    public S3StorageOptions Options { get; }

    /// <summary>Creates a store with a client of its own, configured by <see cref="S3ClientFactory.Create"/>.</summary>
    /// <param name="location">The bucket and prefix, such as <c>s3://bucket/datasets/train</c>.</param>
    /// <param name="options">Endpoint, region, credentials, addressing, timeouts; <see langword="null"/> for the configuration chain and defaults.</param>
    /// <returns>The store; disposing it disposes the client.</returns>
    /// <exception cref="ArgumentException"><paramref name="location"/> is not a valid S3 location, or the endpoint or region is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException"><c>SHARDSTORE_S3_FORCE_PATH_STYLE</c> holds something other than 1, 0, true or false.</exception>
    public static S3ObjectStore Create(string location, S3StorageOptions? options = null)
    {
        var parsed = S3Location.Parse(location);
        options ??= new S3StorageOptions();
        return new S3ObjectStore(S3ClientFactory.Create(options), parsed, options, ownsClient: true);
    }

    /// <summary>Opens the object <paramref name="name"/> under the location for ranged reads.</summary>
    /// <param name="name">The name relative to the prefix, such as <c>manifest.json</c>.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The object does not exist.</exception>
    /// <exception cref="InvalidDataException">The storage returned no ETag or a negative length for the object.</exception>
    /// <exception cref="S3DeadlineExceededException">The storage did not answer before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request for another reason.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<S3ObjectReader> OpenAsync(string name, CancellationToken cancellationToken = default) =>
        S3ObjectReader.OpenAsync(Client, Location.Bucket, Location.GetKey(name), Options, cancellationToken);

    /// <summary>Lists the names (relative to the location's prefix) of the objects whose names start with <paramref name="prefix"/>, in key order.</summary>
    /// <param name="prefix">The start of the relative names; empty for every object under the location.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The names, page by page as the storage returns them.</returns>
    /// <exception cref="S3DeadlineExceededException">The storage did not return a page before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request (access denied, no such bucket).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var root = Location.Prefix.Length == 0 ? string.Empty : Location.Prefix + "/";
        var keyPrefix = root + prefix.TrimStart('/');
        var uri = S3Location.FormatUri(Location.Bucket, keyPrefix);
        string? continuation = null;
        do
        {
            var token = continuation;
            var page = await S3Retry.RunAsync(
                Options,
                t => Client.ListObjectsV2Async(
                    new ListObjectsV2Request { BucketName = Location.Bucket, Prefix = keyPrefix, ContinuationToken = token },
                    t),
                (last, attempts, elapsed) => new S3DeadlineExceededException(
                    $"{uri}: listing not answered within the retry deadline ({elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s, {attempts} attempts); last error: {last?.Message}",
                    uri,
                    null,
                    null,
                    last),
                cancellationToken).ConfigureAwait(false);

            foreach (var item in page.S3Objects ?? [])
            {
                yield return item.Key[root.Length..];
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    /// <summary>Disposes the client when the store created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }
}
