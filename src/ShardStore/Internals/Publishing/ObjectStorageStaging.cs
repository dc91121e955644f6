using System.Text.RegularExpressions;
using ShardStore.Format;
using ShardStore.Internals.Writing;
using ShardStore.Storage;

namespace ShardStore.Internals.Publishing;

/// <summary>
/// Publishes a dataset to object storage: each finished shard file is uploaded at once and deleted, the manifest is put
/// last, and the objects of a replaced dataset are deleted only after it; an abandoned dataset's uploads are aborted (by
/// the publisher, when cancelled) and its uploaded shard objects deleted.
/// </summary>
internal sealed partial class ObjectStorageStaging : IDatasetStaging, IDisposable
{
    private const int MaxNamedObjects = 10;

    // Immutable after construction.
    private readonly IDatasetPublisher _publisher;
    private readonly IWriterFileSystem _fs;
    private readonly DatasetIdentity _identity;
    private readonly HashSet<string> _existing;
    private readonly CancellationTokenSource _cancel = new();

    // Guarded by _started itself: the names of the shards whose upload was started, in order.
    private readonly List<string> _started = [];

    // The writer's thread only.
    private bool _manifestSent;
    private bool _published;
    private bool _abandoned;

    /// <exception cref="IOException">The location holds objects and <paramref name="overwrite"/> is false; or it holds something other than a dataset; or the storage failed.</exception>
    public ObjectStorageStaging(IDatasetPublisher publisher, bool overwrite, DatasetIdentity identity, string? localRoot, IWriterFileSystem fs)
    {
        _publisher = publisher;
        _fs = fs;
        _identity = identity;
        TargetPath = publisher.Location;
        _existing = CheckTarget(publisher, overwrite, identity);
        StagingPath = Path.Combine(Path.GetFullPath(localRoot ?? Path.GetTempPath()), $"shardstore-upload-{Guid.NewGuid():N}");
        fs.CreateDirectory(StagingPath);
    }

    public string TargetPath { get; }

    public string StagingPath { get; }

    public bool FlushesShards => false;

    public string ShardFileName(int index) => FormatConstants.ShardFileName(index, _identity);

    public Task ShardFinished(ShardInfo shard, Task closed)
    {
        lock (_started)
        {
            _started.Add(shard.FileName);
        }

        return UploadAsync(shard.FileName, Path.Combine(StagingPath, shard.FileName), closed);
    }

    public void CancelPending()
    {
        if (!_published)
        {
            _cancel.Cancel();
        }
    }

    public void Publish(string manifestName, ReadOnlySpan<byte> manifest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes = manifest.ToArray();
        _manifestSent = true;
        Run(t => _publisher.PutAsync(manifestName, bytes, t), cancellationToken);
        _published = true;

        // What the replaced dataset (or a writer that died before publishing) left and the new one does not use.
        HashSet<string> keep;
        lock (_started)
        {
            keep = [.. _started, manifestName];
        }

        foreach (string name in _existing.Where(n => !keep.Contains(n)).Order(StringComparer.Ordinal))
        {
            DeleteQuietly(name);
        }

        DeleteStagingDirectory();
    }

    public void Abandon()
    {
        if (_abandoned)
        {
            return;
        }

        _abandoned = true;
        if (!_published)
        {
            _cancel.Cancel();
            string[] started;
            lock (_started)
            {
                started = [.. _started];
            }

            // An upload that was cancelled as it completed may have left its object: delete every one that was started.
            foreach (string name in started)
            {
                DeleteQuietly(name);
            }

            // A manifest put that failed may still have landed; delete it unless it may be the replaced dataset's.
            if (_manifestSent && _existing.Count == 0)
            {
                DeleteQuietly(FormatConstants.ManifestFileName);
            }
        }

        DeleteStagingDirectory();
        Dispose();
    }

    /// <summary>Releases the cancellation source; <see cref="Abandon"/> calls it last.</summary>
    public void Dispose() => _cancel.Dispose();

    /// <summary>Checks the location before anything is written; returns the names of the objects there (empty when it is empty).</summary>
    private static HashSet<string> CheckTarget(IDatasetPublisher publisher, bool overwrite, DatasetIdentity identity)
    {
        IReadOnlyList<string> names = Run(publisher.ListAsync, CancellationToken.None);
        if (names.Count == 0)
        {
            return new HashSet<string>();
        }

        if (!overwrite)
        {
            throw new IOException(
                $"'{publisher.Location}' holds {NameObjects(names)}; choose an empty location, or set Overwrite to replace the dataset there.");
        }

        var own = new HashSet<string>(StringComparer.Ordinal) { FormatConstants.ManifestFileName };
        byte[]? bytes = Run(t => publisher.TryReadAsync(FormatConstants.ManifestFileName, ManifestSerializer.MaxManifestBytes, t), CancellationToken.None);
        if (bytes is not null)
        {
            DatasetManifest manifest;
            try
            {
                manifest = ManifestSerializer.Parse(bytes, publisher.GetUri(FormatConstants.ManifestFileName));
            }
            catch (InvalidDataException e)
            {
                throw new IOException(
                    $"'{publisher.Location}' is not a ShardStore dataset ({e.Message}); overwrite replaces only a dataset: choose another location, or remove its objects yourself.",
                    e);
            }

            // Same identity, same shard names: the new shards would overwrite the old ones in place, and a failed write
            // would leave the old dataset damaged.
            if (manifest.Identity == identity)
            {
                throw new IOException(
                    $"'{publisher.Location}' holds a dataset with the identity {identity}, the one set for the new dataset; its shard objects would be overwritten in place. Leave DatasetWriterOptions.Identity unset or choose another one.");
            }

            own.UnionWith(manifest.Shards.Select(s => s.FileName));
        }

        string[] stray = [.. names.Where(n => !own.Contains(n) && !ShardObjectName().IsMatch(n))];
        if (stray.Length > 0)
        {
            throw new IOException(
                $"'{publisher.Location}' holds {NameObjects(stray)}, which {(stray.Length == 1 ? "is" : "are")} not part of its dataset; "
                + "overwrite replaces only a dataset's own objects. Remove these or choose another location.");
        }

        return new HashSet<string>(names, StringComparer.Ordinal);
    }

    // Blocking is the writer's contract; the calls run on the pool so that no caller's synchronization context is captured.
    private static T Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        Task.Run(() => call(cancellationToken), cancellationToken).GetAwaiter().GetResult();

    private static void Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        Task.Run(() => call(cancellationToken), cancellationToken).GetAwaiter().GetResult();

    private static string NameObjects(IReadOnlyCollection<string> names)
    {
        string shown = string.Join(", ", names.Take(MaxNamedObjects).Select(n => $"'{n}'"));
        return names.Count > MaxNamedObjects ? $"{shown} and {names.Count - MaxNamedObjects} more" : shown;
    }

    private async Task UploadAsync(string name, string path, Task closed)
    {
        try
        {
            await closed.ConfigureAwait(false);
            await _publisher.UploadFileAsync(name, path, _cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                _fs.DeleteFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The staging directory is deleted at the end; what stays is a file in the temporary directory.
            }
        }
    }

    private void DeleteQuietly(string name)
    {
        try
        {
            Run(t => _publisher.DeleteAsync(name, t), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Best effort: an object left behind is not listed by any manifest, and the next overwrite of this location deletes it.
        }
    }

    private void DeleteStagingDirectory()
    {
        try
        {
            if (Directory.Exists(StagingPath))
            {
                foreach (string file in Directory.EnumerateFiles(StagingPath))
                {
                    _fs.DeleteFile(file);
                }

                _fs.DeleteDirectory(StagingPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the directory is under the temporary directory, named as ShardStore's.
        }
    }

    // Shard objects of a dataset, or of a writer that died before publishing one: overwrite may delete them.
    [GeneratedRegex(@"^shard-[0-9]{5,}(-[0-9a-f]{32})?\.shard$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardObjectName();
}
