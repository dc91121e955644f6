namespace ShardStore.Storage;

/// <summary>Opens the locations of one kind of object store, such as <c>s3://</c> URIs; set it in <see cref="ShardDatasetOptions.ObjectStorage"/>.</summary>
public interface IObjectStorageProvider
{
    /// <summary>Opens <paramref name="location"/> when it names a place this provider serves.</summary>
    /// <param name="location">What the user passed to <see cref="ShardDataset.Open(string, ShardDatasetOptions?)"/>.</param>
    /// <returns>The storage (the caller disposes it), or null when the location is not of this provider's kind.</returns>
    /// <exception cref="ArgumentException">The location is of this provider's kind but malformed.</exception>
    IObjectStorage? TryOpen(string location);
}
