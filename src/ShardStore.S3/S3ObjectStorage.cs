using System.Net;
using Amazon.Runtime;
using ShardStore.S3.Internals;
using ShardStore.Storage;

namespace ShardStore.S3;

/// <summary>The objects under one <c>s3://bucket/prefix</c> as a dataset reads them: versions by HEAD, byte ranges by GET.</summary>
/// <remarks>
/// <para><see cref="GetVersionAsync"/> returns an object's length and ETag; <see cref="ReadAsync"/> asks for exactly that ETag
/// (<c>If-Match</c>), so bytes of two versions never mix: an object replaced or deleted since is an
/// <see cref="InvalidDataException"/> naming <c>s3://bucket/key</c> and the byte range.</para>
/// <para>Both retry timeouts, server errors (5xx, throttling), broken connections and short responses with exponential
/// backoff up to <see cref="S3StorageOptions.RetryDeadline"/> of the store's options, then fail with
/// <see cref="S3DeadlineExceededException"/>. A request the storage refuses for good is reported naming the object:
/// access denied as <see cref="UnauthorizedAccessException"/>, anything else as <see cref="IOException"/>, each with the
/// storage's error as the inner exception. Safe to use from several threads at once.</para>
/// </remarks>
public sealed class S3ObjectStorage : IObjectStorage
{
    // Immutable after construction, except _disposed (Interlocked).
    private readonly bool _ownsStore;
    private int _disposed;

    /// <summary>Initializes the storage over a store.</summary>
    /// <param name="store">The bucket, prefix, client and retry options.</param>
    /// <param name="ownsStore">Whether <see cref="Dispose"/> disposes <paramref name="store"/>.</param>
    public S3ObjectStorage(S3ObjectStore store, bool ownsStore = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _ownsStore = ownsStore;
    }

    /// <summary>Gets the store the objects are read through.</summary>
    public S3ObjectStore Store { get; }

    /// <summary>Gets the location, <c>s3://bucket/prefix</c>.</summary>
    public string Location => Store.Location.ToString();

    /// <summary>Returns <c>s3://bucket/prefix/name</c>.</summary>
    /// <param name="name">The object's name relative to the prefix, such as <c>manifest.json</c>.</param>
    /// <returns>The object's URI.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public string GetUri(string name) => Store.Location.GetUri(name);

    /// <summary>Looks up an object's current length and ETag with one HEAD request, retried as reads are.</summary>
    /// <param name="name">The object's name relative to the prefix.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The length and the ETag (with its quotes) as <see cref="ObjectVersion.Tag"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The object or its bucket does not exist; the message names the object.</exception>
    /// <exception cref="InvalidDataException">The storage returned no ETag or a negative length for the object.</exception>
    /// <exception cref="S3DeadlineExceededException">The storage did not answer before the retry deadline.</exception>
    /// <exception cref="UnauthorizedAccessException">The storage denied access to the object.</exception>
    /// <exception cref="IOException">The storage refused the request for another reason; the message names the object.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ObjectVersion> GetVersionAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = Store.Location.GetKey(name);
        try
        {
            var version = await S3ObjectVersion.HeadAsync(Store.Client, Store.Options, Store.Location.Bucket, key, cancellationToken).ConfigureAwait(false);
            return new ObjectVersion(version.Length, version.ETag);
        }
        catch (AmazonServiceException e)
        {
            throw Refused(S3Location.FormatUri(Store.Location.Bucket, key), "the length and version", e);
        }
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes of one version of an object by ranged GET, all of them or none.</summary>
    /// <param name="name">The object's name relative to the prefix.</param>
    /// <param name="version">The version, from <see cref="GetVersionAsync"/>.</param>
    /// <param name="offset">The first byte.</param>
    /// <param name="destination">Receives exactly the range; its contents are undefined when the read fails.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the whole range is in <paramref name="destination"/>.</returns>
    /// <remarks>An empty range completes at once without a request.</remarks>
    /// <exception cref="ArgumentException"><paramref name="name"/> or the version's tag is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the version's length.</exception>
    /// <exception cref="InvalidDataException">The object was replaced or deleted since <paramref name="version"/>; the message names it and the byte range.</exception>
    /// <exception cref="S3DeadlineExceededException">The storage did not return the range before the retry deadline.</exception>
    /// <exception cref="UnauthorizedAccessException">The storage denied access to the object.</exception>
    /// <exception cref="IOException">The storage refused the request for another reason; the message names the object.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask ReadAsync(string name, ObjectVersion version, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var key = Store.Location.GetKey(name);
        ArgumentException.ThrowIfNullOrEmpty(version.Tag, nameof(version));
        var target = new S3ObjectVersion(Store.Client, Store.Options, Store.Location.Bucket, key, version.Length, version.Tag);
        try
        {
            await target.ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw Refused(target.Uri, $"bytes {offset}-{offset + destination.Length - 1}", e);
        }
    }

    /// <summary>Disposes the store when this storage owns it; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsStore)
        {
            Store.Dispose();
        }
    }

    private static Exception Refused(string uri, string what, AmazonServiceException e)
    {
        var reason = $"{(int)e.StatusCode} {e.ErrorCode}: {e.Message}";
        return e.StatusCode == HttpStatusCode.Forbidden
            ? new UnauthorizedAccessException(
                $"{uri}: the storage denied access to {what} ({reason}); check the credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE) and the bucket's policy.",
                e)
            : new IOException($"{uri}: the storage refused the request for {what} ({reason}); check the bucket, the region (AWS_REGION) and the endpoint.", e);
    }
}
