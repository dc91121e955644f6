using Amazon.S3;
using Amazon.S3.Model;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>An S3 client that holds the upload of one part number until the request is cancelled, so a test can act while a multipart upload is in progress.</summary>
internal sealed class PausingS3Client(AmazonS3Config config, Amazon.Runtime.AWSCredentials credentials, int pausedPart) : AmazonS3Client(credentials, config)
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes once a part upload is being held.</summary>
    public Task Paused => _paused.Task;

    public override async Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default)
    {
        if (request.PartNumber == pausedPart)
        {
            _paused.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        return await base.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
