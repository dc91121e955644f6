namespace ShardPack.Sync;

/// <summary>The files or objects of a dataset location that a sync reads: a local directory or an S3 prefix.</summary>
internal interface IDatasetSource : IDisposable
{
    /// <summary>Gets the location as the command line named it.</summary>
    string Location { get; }

    /// <summary>Returns the path or URI of <paramref name="name"/>, as messages name it.</summary>
    string GetUri(string name);

    /// <summary>Opens <paramref name="name"/> for reads of the version there now, or returns null when it does not exist.</summary>
    Task<ISourceObject?> TryOpenAsync(string name, CancellationToken cancellationToken);
}
