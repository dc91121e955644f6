using Microsoft.Win32.SafeHandles;
using ShardStore.Format;
using ShardStore.Internals.Publishing;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Writing;

/// <summary>
/// Adds shards to an existing local dataset as a new generation: the new shards are written into a hidden sibling
/// directory, the current manifest is kept as <c>generations/N.json</c>, the shards are renamed into the dataset
/// directory under names no manifest lists, and the new manifest replaces <c>manifest.json</c> by one rename.
/// </summary>
/// <remarks>
/// <para>Until that rename every reader, and a crash, sees the old generation whole: the files added before it are
/// listed by no manifest. After it, readers that open see the new generation, and readers that opened before keep
/// reading the old one, whose files are never changed. The old generation stays openable through its copy.</para>
/// <para>One append at a time per dataset: an exclusive lock on the hidden file <c>.NAME.append-lock</c> beside the
/// dataset; a second appender fails at once. Shard files that match the writer's names but no manifest lists
/// (what a killed append moved in) are deleted before the new ones are written.</para>
/// </remarks>
internal sealed class AppendStaging : IDatasetStaging, IDisposable
{
    private readonly IWriterFileSystem _fs;
    private readonly FileStream _lock;
    private readonly byte[] _oldBytes;
    private readonly DateTimeOffset? _oldPublished;
    private readonly List<string> _moved = [];
    private bool _published;
    private bool _done;

    /// <exception cref="DirectoryNotFoundException">The dataset directory does not exist.</exception>
    /// <exception cref="InvalidDataException">The directory holds no valid dataset.</exception>
    /// <exception cref="ArgumentException">The dataset's schema differs from <paramref name="schema"/>, or its identity from <paramref name="identity"/>.</exception>
    /// <exception cref="IOException">Another writer is appending to the dataset, or the file system failed.</exception>
    public AppendStaging(string target, Schema schema, string? identity, IWriterFileSystem fs)
    {
        TargetPath = Path.GetFullPath(target);
        _fs = fs;
        string parent = Path.GetDirectoryName(TargetPath) ?? throw new IOException($"'{TargetPath}' has no parent directory.");
        PublishLeftovers.Recover(fs, TargetPath);
        if (!Directory.Exists(TargetPath))
        {
            throw new DirectoryNotFoundException($"Dataset directory '{TargetPath}' does not exist; there is nothing to append to (pack it first).");
        }

        string lockPath = Path.Combine(parent, $".{Path.GetFileName(TargetPath)}.append-lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, a share lock on Windows.
            _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"Another writer is appending to '{TargetPath}' (it holds '{lockPath}'); wait for it to finish.", e);
        }

        try
        {
            string manifestPath = Path.Combine(TargetPath, FormatConstants.ManifestFileName);
            _oldBytes = ManifestFile.ReadBytes(manifestPath);
            Old = ManifestSerializer.Parse(_oldBytes, manifestPath);
            _oldPublished = Old.Created ?? new DateTimeOffset(File.GetLastWriteTimeUtc(manifestPath), TimeSpan.Zero);
            if (Old.Schema.Fingerprint != schema.Fingerprint)
            {
                throw new ArgumentException(
                    $"The dataset '{TargetPath}' has the fields {Describe(Old.Schema)}, and the samples to append have {Describe(schema)}; an append must have the same schema.",
                    nameof(schema));
            }

            if (identity is not null && identity != Old.Identity.ToString())
            {
                throw new ArgumentException(
                    $"DatasetWriterOptions.Identity is {identity}, but the dataset '{TargetPath}' is {Old.Identity}; an append keeps the dataset's identity (leave Identity null).",
                    nameof(identity));
            }

            DeleteUnlistedShards();
            StagingPath = PublishLeftovers.Claim(TargetPath, PublishLeftovers.PartialTag);
            try
            {
                fs.CreateDirectory(StagingPath);
            }
            catch
            {
                PublishLeftovers.Release(StagingPath);
                throw;
            }
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>Gets the newest generation's manifest, which the append extends.</summary>
    public DatasetManifest Old { get; }

    public string TargetPath { get; }

    public string StagingPath { get; }

    public bool FlushesShards => true;

    public string ShardFileName(int index) => FormatConstants.ShardFileName(index);

    public Task ShardFinished(ShardInfo shard, Task closed) => closed;

    public void CancelPending()
    {
        // A local shard is done once flushed; nothing runs that could be cut short.
    }

    /// <summary>Returns the manifest of the new generation: the old shards, then the new ones, with the old generation added to the history.</summary>
    public DatasetManifest Extend(DatasetManifest written, DateTimeOffset now) => Old with
    {
        Creator = written.Creator,
        SampleCount = Old.SampleCount + written.SampleCount,
        Shards = [.. Old.Shards, .. written.Shards],
        Metadata = Merge(Old.Metadata, written.Metadata),
        Generation = Old.Generation + 1,
        Created = now,
        History = [.. Old.History, new DatasetGeneration(Old.Generation, _oldPublished, Old.Shards.Count, Old.SampleCount, ManifestSerializer.Fingerprint(_oldBytes))],
    };

    /// <summary>Keeps the old manifest as its generation's file, moves the new shards in, then renames the new manifest over the old.</summary>
    /// <exception cref="IOException">A step failed; the dataset holds the old generation (files moved in are deleted again).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the dataset was touched.</exception>
    public void Publish(string manifestName, ReadOnlySpan<byte> manifest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeepOldGeneration();
        foreach (string file in Directory.EnumerateFiles(StagingPath).Order(StringComparer.Ordinal))
        {
            string destination = Path.Combine(TargetPath, Path.GetFileName(file));
            _fs.MoveFile(file, destination);
            _moved.Add(destination);
        }

        _fs.FlushDirectory(TargetPath);
        PublishTestHooks.PauseAt("append-shards");

        string temp = Path.Combine(TargetPath, ExistingDataset.ManifestTempName);
        _fs.DeleteFile(temp);
        WriteFlushed(temp, manifest);
        _fs.ReplaceFile(temp, Path.Combine(TargetPath, manifestName));
        _published = true;
        _fs.FlushDirectory(TargetPath);
        PublishTestHooks.PauseAt("published");
    }

    /// <summary>Deletes the staging directory, and before publishing the shards already moved in; releases the lock. Best effort.</summary>
    public void Abandon()
    {
        try
        {
            if (!_published)
            {
                foreach (string file in _moved)
                {
                    TryDelete(file);
                }
            }

            if (!_done)
            {
                _done = true;
                ExistingDataset.DeleteWriterFiles(_fs, StagingPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What is left is a hidden leftover that the next writer for this dataset deletes.
        }
        finally
        {
            PublishLeftovers.Release(StagingPath);
            Dispose();
        }
    }

    /// <summary>Releases the append lock.</summary>
    public void Dispose() => _lock.Dispose();

    // The old manifest's bytes, unchanged, so that their fingerprint (recorded in the new history) still matches.
    private void KeepOldGeneration()
    {
        string directory = Path.Combine(TargetPath, FormatConstants.GenerationsDirectoryName);
        string path = Path.Combine(directory, FormatConstants.GenerationFileName(Old.Generation));
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(_oldBytes))
        {
            return;
        }

        _fs.CreateDirectory(directory);
        string temp = path + ".tmp";
        _fs.DeleteFile(temp);
        WriteFlushed(temp, _oldBytes);
        _fs.ReplaceFile(temp, path);
        _fs.FlushDirectory(directory);
        _fs.FlushDirectory(TargetPath);
    }

    private void WriteFlushed(string path, ReadOnlySpan<byte> bytes)
    {
        using SafeFileHandle file = _fs.CreateFile(path);
        _fs.Write(file, bytes, 0);
        _fs.FlushFile(file);
    }

    // A killed append may have moved shards in before its manifest: no manifest lists them, and the new shards take their names.
    private void DeleteUnlistedShards()
    {
        var listed = new HashSet<string>(Old.Shards.Select(s => s.FileName), StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(TargetPath))
        {
            string name = Path.GetFileName(file);
            if (!listed.Contains(name) && name != FormatConstants.ManifestFileName && ExistingDataset.IsWriterFileName(name))
            {
                _fs.DeleteFile(file);
            }
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            _fs.DeleteFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Listed by no manifest: the next append deletes it.
        }
    }

    private static SortedDictionary<string, string> Merge(IReadOnlyDictionary<string, string> old, IReadOnlyDictionary<string, string> added)
    {
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> kv in old.Concat(added))
        {
            merged[kv.Key] = kv.Value;
        }

        return merged;
    }

    private static string Describe(Schema schema) =>
        "(" + string.Join(", ", schema.Fields.Select(f => $"{f.Name} {DTypeInfo.GetName(f.DType)} {(f.IsVariable ? "variable" : "[" + string.Join(", ", f.Shape) + "]")}")) + ")";
}
