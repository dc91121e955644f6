using ShardStore.Storage;

namespace ShardPack.Sync;

/// <summary>
/// Publishes into a local directory, one file at a time: each file is written under a temporary name, flushed and
/// renamed into place, so a file with a dataset name is always complete.
/// </summary>
internal sealed class LocalDatasetPublisher(string directory) : IDatasetPublisher
{
    /// <summary>The ending of the temporary names; a name that ends so is never listed.</summary>
    public const string PartialSuffix = ".shardpack-partial";

    public string Location => directory;

    public string GetUri(string name) => Path.Combine(directory, name);

    /// <summary>Returns the temporary path that a file for <paramref name="name"/> may be written to and then passed to <see cref="UploadFileAsync"/>, which renames it.</summary>
    public string GetStagingPath(string name)
    {
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "." + name + PartialSuffix);
    }

    /// <summary>Deletes the temporary files that an interrupted run left.</summary>
    public void DeleteLeftovers()
    {
        if (Directory.Exists(directory))
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*" + PartialSuffix))
            {
                File.Delete(file);
            }
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> names = Directory.Exists(directory)
            ? [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Where(n => !n!.EndsWith(PartialSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)!]
            : [];
        return Task.FromResult(names);
    }

    public async Task<byte[]?> TryReadAsync(string name, long maxLength, CancellationToken cancellationToken = default)
    {
        string path = GetUri(name);
        if (!File.Exists(path))
        {
            return null;
        }

        long length = new FileInfo(path).Length;
        if (length > maxLength)
        {
            throw DataErrors.Create($"the file has {length} bytes, more than the {maxLength} accepted", path);
        }

        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public async Task UploadFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        string staging = GetStagingPath(name);
        try
        {
            if (!string.Equals(Path.GetFullPath(path), Path.GetFullPath(staging), StringComparison.Ordinal))
            {
                await using FileStream source = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using FileStream target = new(staging, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }
            else
            {
                using FileStream target = new(staging, FileMode.Open, FileAccess.ReadWrite);
                target.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(staging, GetUri(name), overwrite: true);
        }
        catch
        {
            File.Delete(staging);
            throw;
        }
    }

    public async Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        string staging = GetStagingPath(name);
        try
        {
            await using (FileStream target = new(staging, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await target.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }

            File.Move(staging, GetUri(name), overwrite: true);
        }
        catch
        {
            File.Delete(staging);
            throw;
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        File.Delete(GetUri(name));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Nothing is held open between calls.
    }
}
