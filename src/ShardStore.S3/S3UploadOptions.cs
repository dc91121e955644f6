namespace ShardStore.S3;

/// <summary>How <see cref="S3DatasetPublisher"/> uploads files: the size of a multipart upload's parts and how many are sent at once.</summary>
public sealed class S3UploadOptions
{
    /// <summary>The smallest part S3 accepts (except the last of an upload): 5 MiB.</summary>
    public const long MinPartSize = 5L << 20;

    /// <summary>Gets the size of each part of a multipart upload (the last may be smaller). The default is 64 MiB.</summary>
    public long PartSize { get; init; } = 64L << 20;

    /// <summary>Gets the most parts sent at once, over all the files being uploaded by one publisher. The default is 8.</summary>
    public int MaxPartsInFlight { get; init; } = 8;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PartSize, MinPartSize, nameof(PartSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPartsInFlight, 1, nameof(MaxPartsInFlight));
    }
}
