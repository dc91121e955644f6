using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.S3.Internals;
using ShardStore.Storage;

namespace ShardStore.S3;

/// <summary>Publishes a dataset to S3-compatible object storage: <see cref="DatasetWriter.Create(IDatasetPublisher, Schema, DatasetWriterOptions?)"/> writes through it.</summary>
/// <remarks>
/// <para>Files are uploaded with multipart uploads, in parts of <see cref="S3UploadOptions.PartSize"/>, several parts at once;
/// an upload that fails or is cancelled is aborted before its task ends, so no part is left stored. Every request is retried
/// on timeouts, server errors and broken connections up to <see cref="S3StorageOptions.RetryDeadline"/>; a request that
/// keeps failing ends in <see cref="S3DeadlineExceededException"/>, one the storage refuses in an <see cref="IOException"/>
/// naming the object.</para>
/// <para>Safe to use from several threads at once. Disposing it disposes the client only when it created it.</para>
/// </remarks>
public sealed class S3DatasetPublisher : IDatasetPublisher
{
    // Immutable after construction; the semaphore bounds the parts in flight over every upload.
    private readonly IAmazonS3 _client;
    private readonly S3StorageOptions _options;
    private readonly S3UploadOptions _upload;
    private readonly S3Location _location;
    private readonly SemaphoreSlim _parts;
    private readonly bool _ownsClient;

    /// <summary>Initializes a publisher over a client the caller keeps and disposes.</summary>
    /// <param name="client">The client.</param>
    /// <param name="location">The bucket and prefix the dataset is published under.</param>
    /// <param name="options">Timeouts and retries; <see langword="null"/> for the defaults.</param>
    /// <param name="upload">Part size and parallelism; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive, or an upload option is out of range.</exception>
    public S3DatasetPublisher(IAmazonS3 client, S3Location location, S3StorageOptions? options = null, S3UploadOptions? upload = null)
        : this(client, location, options ?? new S3StorageOptions(), upload ?? new S3UploadOptions(), ownsClient: false)
    {
    }

    private S3DatasetPublisher(IAmazonS3 client, S3Location location, S3StorageOptions options, S3UploadOptions upload, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(location);
        options.Validate();
        upload.Validate();
        _client = client;
        _location = location;
        _options = options;
        _upload = upload;
        _parts = new SemaphoreSlim(upload.MaxPartsInFlight);
        _ownsClient = ownsClient;
    }

    /// <inheritdoc/>
    public string Location => _location.ToString();

    /// <summary>Creates a publisher with a client of its own, configured by <see cref="S3ClientFactory.Create"/>.</summary>
    /// <param name="location">The bucket and prefix, such as <c>s3://bucket/datasets/train</c>.</param>
    /// <param name="options">Endpoint, region, credentials, addressing, timeouts; <see langword="null"/> for the configuration chain and defaults.</param>
    /// <param name="upload">Part size and parallelism; <see langword="null"/> for the defaults.</param>
    /// <returns>The publisher; disposing it disposes the client.</returns>
    /// <exception cref="ArgumentException"><paramref name="location"/> is not a valid S3 location, or the endpoint or region is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive, or an upload option is out of range.</exception>
    /// <exception cref="InvalidOperationException"><c>SHARDSTORE_S3_FORCE_PATH_STYLE</c> holds something other than 1, 0, true or false.</exception>
    public static S3DatasetPublisher Create(string location, S3StorageOptions? options = null, S3UploadOptions? upload = null)
    {
        var parsed = S3Location.Parse(location);
        options ??= new S3StorageOptions();
        upload ??= new S3UploadOptions();
        upload.Validate();
        return new S3DatasetPublisher(S3ClientFactory.Create(options), parsed, options, upload, ownsClient: true);
    }

    /// <inheritdoc/>
    public string GetUri(string name) => _location.GetUri(name);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        var root = _location.Prefix.Length == 0 ? string.Empty : _location.Prefix + "/";
        var names = new List<string>();
        string? continuation = null;
        do
        {
            var token = continuation;
            var page = await RunAsync(
                "list the objects under it",
                Location,
                t => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _location.Bucket, Prefix = root, ContinuationToken = token }, t),
                cancellationToken).ConfigureAwait(false);
            names.AddRange((page.S3Objects ?? []).Select(o => o.Key[root.Length..]));
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        return names;
    }

    /// <inheritdoc/>
    public async Task<byte[]?> TryReadAsync(string name, long maxLength, CancellationToken cancellationToken = default)
    {
        var key = _location.GetKey(name);
        var uri = GetUri(name);
        return await RunAsync<byte[]?>(
            "read the object",
            uri,
            async t =>
            {
                try
                {
                    using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _location.Bucket, Key = key }, t).ConfigureAwait(false);
                    if (response.ContentLength > maxLength)
                    {
                        throw DataErrors.Create($"the object has {response.ContentLength} bytes, more than the {maxLength} accepted", uri);
                    }

                    using var buffer = new MemoryStream((int)Math.Max(response.ContentLength, 0));
                    await response.ResponseStream.CopyToAsync(buffer, t).ConfigureAwait(false);
                    if (buffer.Length != response.ContentLength)
                    {
                        throw new S3TransientResponseException($"{uri}: the response ended after {buffer.Length} of {response.ContentLength} bytes");
                    }

                    return buffer.ToArray();
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task UploadFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var key = _location.GetKey(name);
        var uri = GetUri(name);
        var length = new FileInfo(path).Length;
        cancellationToken.ThrowIfCancellationRequested();

        // Not cancellable: an upload the storage started but whose id never arrived could not be aborted.
        var started = await RunAsync(
            "start the upload of the object",
            uri,
            t => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _location.Bucket, Key = key }, t),
            CancellationToken.None).ConfigureAwait(false);
        var uploadId = started.UploadId;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var partCount = (int)Math.Max(1, (length + _upload.PartSize - 1) / _upload.PartSize);
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var parts = new Task<PartETag>[partCount];
            for (var i = 0; i < partCount; i++)
            {
                parts[i] = UploadPartAsync(key, uri, uploadId, path, i, length, failed);
            }

            try
            {
                await Task.WhenAll(parts).ConfigureAwait(false);
            }
            catch
            {
                // The first failure, not the cancellations it caused in the other parts.
                throw parts.Select(p => p.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException)
                    ?? parts.Select(p => p.Exception?.InnerException).FirstOrDefault(e => e is not null)
                    ?? new OperationCanceledException(cancellationToken);
            }

            var etags = parts.Select(p => p.Result).ToList();
            await RunAsync(
                "complete the upload of the object",
                uri,
                t => _client.CompleteMultipartUploadAsync(
                    new CompleteMultipartUploadRequest { BucketName = _location.Bucket, Key = key, UploadId = uploadId, PartETags = etags },
                    t),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortAsync(key, uri, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var key = _location.GetKey(name);
        var bytes = content.ToArray();
        await RunAsync(
            "put the object",
            GetUri(name),
            async t =>
            {
                using var body = new MemoryStream(bytes, writable: false);
                return await _client.PutObjectAsync(new PutObjectRequest { BucketName = _location.Bucket, Key = key, InputStream = body, AutoCloseStream = false }, t).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = _location.GetKey(name);
        await RunAsync(
            "delete the object",
            GetUri(name),
            t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _location.Bucket, Key = key }, t),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the client when the publisher created it.</summary>
    public void Dispose()
    {
        _parts.Dispose();
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uri, string uploadId, string path, int index, long length, CancellationTokenSource failed)
    {
        var token = failed.Token;
        await _parts.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var position = index * _upload.PartSize;
            var size = Math.Min(_upload.PartSize, length - position);
            var response = await RunAsync(
                $"upload part {index + 1} (bytes {position}-{position + size - 1}) of the object",
                uri,
                t => _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _location.Bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = index + 1,
                        FilePath = path,
                        FilePosition = position,
                        PartSize = size,
                    },
                    t),
                token).ConfigureAwait(false);
            return new PartETag(index + 1, response.ETag);
        }
        catch
        {
            // One part failing dooms the upload: stop the others at once.
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _parts.Release();
        }
    }

    // Not cancellable: an abort cut short would leave the parts stored (and billed) until a lifecycle rule removes them.
    private async Task AbortAsync(string key, string uri, string uploadId)
    {
        try
        {
            await RunAsync(
                "abort the upload of the object",
                uri,
                t => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _location.Bucket, Key = key, UploadId = uploadId }, t),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The upload's own failure is what the caller needs to see; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes what is left.
        }
    }

    private Task<T> RunAsync<T>(string action, string uri, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        RunAsync(_options, action, uri, attempt, cancellationToken);

    private static async Task<T> RunAsync<T>(S3StorageOptions options, string action, string uri, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await S3Retry.RunAsync(
                options,
                attempt,
                (last, attempts, elapsed) => new S3DeadlineExceededException(
                    $"{uri}: could not {action} within the retry deadline ({elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s, {attempts} attempts); last error: {last?.Message}",
                    uri,
                    null,
                    null,
                    last),
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw new IOException($"{uri}: the storage refused to {action} ({(int)e.StatusCode} {e.ErrorCode}: {e.Message})", e);
        }
    }
}
