using Amazon.S3;
using ShardStore.S3.Internals;

namespace ShardStore.S3;

/// <summary>Reads byte ranges of one object in S3-compatible storage, the version that was there when it was opened.</summary>
/// <remarks>
/// <para><see cref="OpenAsync"/> records the object's length and ETag; every <see cref="ReadAsync"/> asks for that ETag
/// (<c>If-Match</c>), so a read never mixes bytes of two versions: once the object is overwritten or deleted, reads fail with an
/// <see cref="InvalidDataException"/> naming the object and the byte range.</para>
/// <para>Timeouts, server errors (5xx, throttling), broken connections and short responses are retried with exponential backoff
/// until <see cref="S3StorageOptions.RetryDeadline"/>, then fail with <see cref="S3DeadlineExceededException"/>. A reader holds
/// no state that a read changes: any number of reads may run at once. It does not own the client.</para>
/// <para>The bytes are returned as received: a ranged GET carries no checksum of the range, so a body corrupted on the way
/// (same length, other bytes) is not detected here. The checksums of the data read through it (each chunk's CRC32C in a shard)
/// are what catch that.</para>
/// </remarks>
public sealed class S3ObjectReader
{
    // Immutable after open.
    private readonly S3ObjectVersion _version;

    private S3ObjectReader(S3ObjectVersion version) => _version = version;

    /// <summary>Gets the bucket.</summary>
    public string Bucket => _version.Bucket;

    /// <summary>Gets the object key.</summary>
    public string Key => _version.Key;

    /// <summary>Gets the object's URI, <c>s3://bucket/key</c>, as messages name it.</summary>
    public string Uri => _version.Uri;

    /// <summary>Gets the object's length in bytes when it was opened.</summary>
    public long Length => _version.Length;

    /// <summary>Gets the object's ETag (with its quotes) when it was opened; every read requires it.</summary>
    public string ETag => _version.ETag;

    /// <summary>Opens an object: one HEAD request, retried as reads are, records its length and ETag.</summary>
    /// <param name="client">The client, for example from <see cref="S3ClientFactory.Create"/>; not disposed by the reader.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The object key.</param>
    /// <param name="options">Timeouts and retries; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="FileNotFoundException">The object does not exist.</exception>
    /// <exception cref="InvalidDataException">The storage returned no ETag or a negative length for the object.</exception>
    /// <exception cref="S3DeadlineExceededException">The storage did not answer before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request for another reason (access denied, no such bucket).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<S3ObjectReader> OpenAsync(
        IAmazonS3 client,
        string bucket,
        string key,
        S3StorageOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        options ??= new S3StorageOptions();
        options.Validate();
        return new S3ObjectReader(await S3ObjectVersion.HeadAsync(client, options, bucket, key, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads <c>destination.Length</c> bytes from <paramref name="offset"/> into <paramref name="destination"/>, all of them or none.</summary>
    /// <param name="offset">The first byte, from 0.</param>
    /// <param name="destination">Receives exactly the range; its contents are undefined when the read fails.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the whole range is in <paramref name="destination"/>.</returns>
    /// <remarks>An empty range completes at once without a request.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the object as opened (<c>offset + destination.Length &gt; Length</c>).</exception>
    /// <exception cref="InvalidDataException">The object changed (another ETag) or was deleted since it was opened; the message names the object and the byte range.</exception>
    /// <exception cref="S3DeadlineExceededException">The storage did not return the range before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request for another reason (access denied).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        _version.ReadAsync(offset, destination, cancellationToken);
}
