namespace ShardPack.Sync;

/// <summary>The files of a local dataset directory.</summary>
internal sealed class LocalDatasetSource(string directory) : IDatasetSource
{
    public string Location => directory;

    public string GetUri(string name) => Path.Combine(directory, name);

    public Task<ISourceObject?> TryOpenAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<ISourceObject?>(LocalFileObject.TryOpen(GetUri(name)));

    public void Dispose()
    {
        // Each opened file is disposed by its reader.
    }
}
