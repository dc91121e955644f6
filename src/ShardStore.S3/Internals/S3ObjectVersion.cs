using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace ShardStore.S3.Internals;

/// <summary>
/// One version of one object, named by its length and ETag, and the two requests made for it: the HEAD that finds them
/// (<see cref="HeadAsync"/>) and ranged GETs pinned to the ETag with <c>If-Match</c> (<see cref="ReadAsync"/>). Both retry
/// through <see cref="S3Retry"/> up to the options' deadline. Holds no state a read changes: reads may run at once.
/// </summary>
internal sealed class S3ObjectVersion
{
    // Immutable; the client and options are shared with the caller.
    private readonly IAmazonS3 _client;
    private readonly S3StorageOptions _options;

    public S3ObjectVersion(IAmazonS3 client, S3StorageOptions options, string bucket, string key, long length, string eTag)
    {
        _client = client;
        _options = options;
        Bucket = bucket;
        Key = key;
        Length = length;
        ETag = eTag;
        Uri = S3Location.FormatUri(bucket, key);
    }

    public string Bucket { get; }

    public string Key { get; }

    /// <summary>Gets <c>s3://bucket/key</c>, as messages name the object.</summary>
    public string Uri { get; }

    public long Length { get; }

    /// <summary>Gets the ETag (with its quotes) every read requires.</summary>
    public string ETag { get; }

    /// <summary>Finds the current length and ETag of <c>s3://bucket/key</c> with one HEAD request, retried as reads are.</summary>
    /// <exception cref="FileNotFoundException">The object or its bucket does not exist.</exception>
    /// <exception cref="InvalidDataException">The storage returned no ETag or a negative length.</exception>
    /// <exception cref="S3DeadlineExceededException">No answer before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request for another reason (access denied).</exception>
    public static async Task<S3ObjectVersion> HeadAsync(IAmazonS3 client, S3StorageOptions options, string bucket, string key, CancellationToken cancellationToken)
    {
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

        return new S3ObjectVersion(client, options, bucket, key, length, metadata.ETag);
    }

    /// <summary>Reads <c>destination.Length</c> bytes from <paramref name="offset"/> of this version, all of them or none.</summary>
    /// <remarks>An empty range completes at once without a request.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within <see cref="Length"/> bytes.</exception>
    /// <exception cref="InvalidDataException">The object now has another ETag or was deleted; the message names the object and the range.</exception>
    /// <exception cref="S3DeadlineExceededException">The range was not read before the retry deadline.</exception>
    /// <exception cref="AmazonS3Exception">The storage refused the request for another reason (access denied).</exception>
    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
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

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

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
}
