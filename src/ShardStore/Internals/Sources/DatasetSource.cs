using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Reading;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// Where a dataset's bytes come from: a local directory read through mappings or positioned reads
/// (<see cref="LocalDatasetSource"/>) or a prefix in an object store (<see cref="RemoteDatasetSource"/>). It reads
/// the manifest, validates every shard against it and opens shards again after the dataset closed them; everything
/// above it (the dataset's chunk reads, the loader) is the same for every source.
/// </summary>
internal abstract class DatasetSource : IDisposable
{
    /// <summary>Gets the directory's full path or the location's URI, as <see cref="ShardDataset.Directory"/> reports it.</summary>
    public abstract string Location { get; }

    /// <summary>Gets how chunks are read: <see cref="ShardReadMode.Mapped"/> or <see cref="ShardReadMode.Direct"/> (remote sources read directly).</summary>
    public abstract ShardReadMode Mode { get; }

    /// <summary>Gets whether the dataset lives in an object store.</summary>
    public virtual bool IsRemote => false;

    /// <summary>
    /// Gets whether the source reads planned chunks into memory ahead of use itself (remote objects, local files read
    /// with direct I/O), so a shard is worth opening to read ahead; other sources pass hints to the OS.
    /// </summary>
    public virtual bool ReadsAheadItself => false;

    /// <summary>Gets the read-ahead depth in stored bytes when the options set none (<see cref="ShardDatasetOptions.ReadAheadBytes"/>).</summary>
    public abstract long DefaultReadAheadBytes { get; }

    /// <summary>Forgets the chunks read ahead and not read yet (the loader that planned them stopped).</summary>
    public virtual void DropReadAhead()
    {
    }

    /// <summary>Chooses the source for <paramref name="location"/>: an object store when a provider in the options serves it, else a local directory.</summary>
    /// <exception cref="NotSupportedException">The location is a URI that no provider in the options serves.</exception>
    /// <exception cref="DirectoryNotFoundException">The local directory does not exist.</exception>
    public static DatasetSource Open(string location, ShardDatasetOptions options)
    {
        if (options.ObjectStorage?.TryOpen(location) is { } storage)
        {
            return new RemoteDatasetSource(storage, options.Cache);
        }

        int scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1 && location[..scheme].All(char.IsAsciiLetterOrDigit))
        {
            throw new NotSupportedException(
                $"'{location}' is a {location[..scheme]}:// location and no object storage provider is set for it; set ShardDatasetOptions.ObjectStorage (S3Storage.Provider from ShardStore.S3 serves s3://).");
        }

        return LocalDatasetSource.OpenDirectory(location, options);
    }

    /// <summary>Reads the manifest's bytes and returns them with the name messages give the manifest.</summary>
    /// <exception cref="InvalidDataException">The manifest is missing, not a regular file or too large; the message names it.</exception>
    public abstract byte[] ReadManifest(out string name);

    /// <summary>Reads the bytes of an older generation's manifest (<c>generations/N.json</c>) and returns them with the name messages give it.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not a regular file or too large; the message names it.</exception>
    public abstract byte[] ReadGenerationManifest(int generation, out string name);

    /// <summary>
    /// Opens and validates every shard of <paramref name="manifest"/>; the first <paramref name="keepOpen"/> stay open
    /// (<see cref="ShardFile.Open"/> set, one reference each), the others are closed again until they are read.
    /// </summary>
    /// <exception cref="InvalidDataException">A shard is missing, not a regular file, truncated, corrupt, disagrees with the manifest or belongs to another dataset.</exception>
    public abstract ShardFile[] OpenShards(DatasetManifest manifest, IChunkCodecProvider? codecs, int keepOpen);

    /// <summary>Opens a shard again after the dataset closed it; it must be the very shard validated at open.</summary>
    /// <exception cref="InvalidDataException">The shard is missing or was replaced or modified since the dataset was opened.</exception>
    public abstract OpenShard Reopen(ShardFile file);

    public virtual void Dispose()
    {
    }
}
