using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
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
    // Immutable after open; the client and options are shared with the caller.
    private readonly IAmazonS3 _client;
    private readonly S3StorageOptions _options;

    private S3ObjectReader(IAmazonS3 client, S3StorageOptions options, string bucket, string key, long length, string eTag)
    {
        _client = client;
        _options = options;
        Bucket = bucket;
        Key = key;
        Length = length;
        ETag = eTag;
    }

    /// <summary>Gets the bucket.</summary>
    public string Bucket { get; }

    /// <summary>Gets the object key.</summary>
    public string Key { get; }

    /// <summary>Gets the object's URI, <c>s3://bucket/key</c>, as messages name it.</summary>
    public string Uri => S3Location.FormatUri(Bucket, Key);

    /// <summary>Gets the object's length in bytes when it was opened.</summary>
    public long Length { get; }

    /// <summary>Gets the object's ETag (with its quotes) when it was opened; every read requires it.</summary>
    public string ETag { get; }

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
        var uri = S3Location.FormatUri(bucket, key);

        var metadata = await S3Retry.RunAsync(
            options,
            async token =>
            {
                try
                {
                    return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, token).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new FileNotFoundException($"{uri} does not exist: check the bucket, the prefix and the object name.", uri, e);
                }
            },
            (last, attempts, elapsed) => new S3DeadlineExceededException(
                $"{uri}: no answer to HEAD within the retry deadline ({Seconds(elapsed)} s, {attempts} attempts); last error: {last?.Message}",
                uri,
                null,
                null,
                last),
            cancellationToken).ConfigureAwait(false);

        var length = metadata.ContentLength;
        if (length < 0 || string.IsNullOrEmpty(metadata.ETag))
        {
            throw DataErrors.Create($"the storage returned no usable length ({length}) or ETag ('{metadata.ETag}') for the object", uri);
        }

        return new S3ObjectReader(client, options, bucket, key, length, metadata.ETag);
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
    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var count = destination.Length;
        if (offset > Length || count > Length - offset)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset),
                offset,
                $"{Uri}: bytes {offset}-{offset + count - 1} lie past the end of the object, which had {Length} bytes when opened.");
        }

        if (count == 0)
        {
            return;
        }

        var range = $"bytes {offset}-{offset + count - 1}";
        await S3Retry.RunAsync(
            _options,
            token => ReadOnceAsync(offset, destination, range, token),
            (last, attempts, elapsed) => new S3DeadlineExceededException(
                $"{Uri}: {range} not read within the retry deadline ({Seconds(elapsed)} s, {attempts} attempts); last error: {last?.Message}",
                Uri,
                offset,
                count,
                last),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ReadOnceAsync(long offset, Memory<byte> destination, string range, CancellationToken cancellationToken)
    {
        var count = destination.Length;
        var request = new GetObjectRequest
        {
            BucketName = Bucket,
            Key = Key,
            ByteRange = new ByteRange(offset, offset + count - 1),
            EtagToMatch = ETag,
        };

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            throw Changed(offset, range, e.StatusCode == HttpStatusCode.NotFound ? "it was deleted" : "its ETag no longer matches", e);
        }

        using (response)
        {
            if (!string.IsNullOrEmpty(response.ETag) && !string.Equals(response.ETag, ETag, StringComparison.Ordinal))
            {
                throw Changed(offset, range, $"it now has ETag {response.ETag}", null);
            }

            if (response.ContentLength != count)
            {
                throw new S3TransientResponseException($"{Uri}: asked for {range} ({count} bytes), the response announced {response.ContentLength}");
            }

            var stream = response.ResponseStream;
            var filled = 0;
            while (filled < count)
            {
                var n = await stream.ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new S3TransientResponseException($"{Uri}: the response to {range} ended after {filled} of {count} bytes");
                }

                filled += n;
            }
        }

        return true;
    }

    private InvalidDataException Changed(long offset, string range, string what, Exception? inner) =>
        DataErrors.Create(
            $"the object changed since it was opened ({what}; it had ETag {ETag} and {Length} bytes), so {range} cannot be read; the dataset was replaced or modified while open: reopen it",
            Uri,
            byteOffset: offset,
            innerException: inner);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
