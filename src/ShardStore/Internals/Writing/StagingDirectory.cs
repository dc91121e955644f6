using Microsoft.Win32.SafeHandles;
using ShardStore.Format;
using ShardStore.Internals.Publishing;

namespace ShardStore.Internals.Writing;

/// <summary>
/// A hidden sibling directory that a dataset is written into and that replaces the target whole once the manifest
/// is written, so a reader never sees a half-written dataset, a failed write leaves nothing, and a crash at any
/// point leaves the target holding exactly the old or exactly the new dataset.
/// </summary>
/// <remarks>
/// <para>Publishing: every shard is flushed to disk (by the writer), the manifest is written under a temporary name,
/// flushed and renamed, and the staging directory is flushed. A missing target is then created by one rename. An
/// existing one, which overwrite replaces only when it is empty or holds a dataset and nothing else, is swapped with
/// the staging directory in one atomic step on Linux (renameat2 with RENAME_EXCHANGE); on macOS, Windows and file
/// systems that refuse the exchange it is renamed aside to ".NAME.old-*" and the staging directory renamed into
/// place, a window in which the target is missing. The parent directory is flushed after each rename. The replaced
/// dataset's files, and only those its manifest lists, are then deleted.</para>
/// <para>Recovery: the staging and set-aside directories carry their owner's process id and start time in their names.
/// Before it starts, a writer (and <see cref="ShardDataset.Open"/>, for a missing target) puts back a dataset that a
/// dead writer had set aside when the target is missing, and deletes the other leftovers of dead writers.</para>
/// </remarks>
internal sealed class StagingDirectory : IDatasetStaging
{
    private readonly bool _overwrite;
    private readonly IWriterFileSystem _fs;
    private readonly string _parent;
    private string? _setAside;
    private bool _published;
    private bool _done;

    /// <exception cref="IOException">The target is a file, or exists and may not be replaced.</exception>
    public StagingDirectory(string target, bool overwrite, IWriterFileSystem fs)
    {
        TargetPath = Path.GetFullPath(target);
        _overwrite = overwrite;
        _fs = fs;
        _parent = Path.GetDirectoryName(TargetPath) ?? throw new IOException($"'{TargetPath}' has no parent directory.");
        PublishLeftovers.Recover(fs, TargetPath);
        if (File.Exists(TargetPath))
        {
            throw new IOException($"'{TargetPath}' is a file; a dataset is a directory.");
        }

        if (Directory.Exists(TargetPath))
        {
            if (!overwrite && Directory.EnumerateFileSystemEntries(TargetPath).Any())
            {
                throw new IOException($"'{TargetPath}' exists and is not empty; choose another directory or set Overwrite.");
            }

            if (overwrite)
            {
                ExistingDataset.CheckReplaceable(TargetPath);
            }
        }

        fs.CreateDirectory(_parent);
        StagingPath = PublishLeftovers.Claim(TargetPath, PublishLeftovers.PartialTag);
        try
        {
            fs.CreateDirectory(StagingPath);
        }
        catch
        {
            _done = true;
            Abandon();
            throw;
        }
    }

    public string TargetPath { get; }

    public string StagingPath { get; }

    public bool FlushesShards => true;

    public string ShardFileName(int index) => FormatConstants.ShardFileName(index);

    public Task ShardFinished(ShardInfo shard, Task closed) => closed;

    public void CancelPending()
    {
        // A local shard is done once flushed; nothing runs that could be cut short.
    }

    /// <summary>Writes <paramref name="manifest"/> under a temporary name, renames it, then moves the directory into place.</summary>
    /// <exception cref="IOException">Writing, renaming or flushing failed, or the target may not be replaced; the target holds the old dataset, or the new one when only a flush after the swap failed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the target was touched.</exception>
    public void Publish(string manifestName, ReadOnlySpan<byte> manifest, CancellationToken cancellationToken)
    {
        string temp = Path.Combine(StagingPath, ExistingDataset.ManifestTempName);
        using (SafeFileHandle file = _fs.CreateFile(temp))
        {
            _fs.Write(file, manifest, 0);
            _fs.FlushFile(file);
        }

        _fs.MoveFile(temp, Path.Combine(StagingPath, manifestName));
        _fs.FlushDirectory(StagingPath);
        PublishTestHooks.PauseAt("staged");
        cancellationToken.ThrowIfCancellationRequested();

        if (!Directory.Exists(TargetPath))
        {
            _fs.MoveDirectory(StagingPath, TargetPath);
            Published();
            return;
        }

        if (!_overwrite && Directory.EnumerateFileSystemEntries(TargetPath).Any())
        {
            throw new IOException($"'{TargetPath}' was filled by someone else while the dataset was being written.");
        }

        // Checked again: the target may have changed since the writer started.
        bool empty = ExistingDataset.CheckReplaceable(TargetPath).Count == 0;
        if (_fs.TryExchangeDirectories(StagingPath, TargetPath))
        {
            // The staging path now holds the old dataset.
            _setAside = StagingPath;
            Published();
        }
        else if (empty)
        {
            _fs.DeleteDirectory(TargetPath);
            _fs.MoveDirectory(StagingPath, TargetPath);
            Published();
        }
        else
        {
            string setAside = PublishLeftovers.Claim(TargetPath, PublishLeftovers.OldTag);
            try
            {
                _fs.MoveDirectory(TargetPath, setAside);
            }
            catch
            {
                PublishLeftovers.Release(setAside);
                throw;
            }

            _setAside = setAside;
            try
            {
                _fs.FlushDirectory(_parent);
                PublishTestHooks.PauseAt("set-aside");
                _fs.MoveDirectory(StagingPath, TargetPath);
            }
            catch
            {
                RestoreSetAside();
                throw;
            }

            Published();
        }

        RemoveSetAside();
    }

    /// <summary>Deletes everything written so far, or after publishing what is left of the replaced dataset; best effort.</summary>
    public void Abandon()
    {
        if (!_published)
        {
            // A set-aside dataset is all there is of the old one while the target is missing: leave it to recovery.
            if (_setAside is not null && _setAside != StagingPath)
            {
                PublishLeftovers.Release(_setAside);
            }

            if (_done)
            {
                PublishLeftovers.Release(StagingPath);
                return;
            }

            _done = true;
            DeleteQuietly(StagingPath);
            return;
        }

        if (_setAside is not null)
        {
            RemoveSetAside();
        }
    }

    private void Published()
    {
        _published = true;
        _done = true;
        _fs.FlushDirectory(_parent);
        PublishTestHooks.PauseAt("published");
    }

    private void RemoveSetAside()
    {
        string? setAside = _setAside;
        if (setAside is null)
        {
            return;
        }

        _setAside = null;
        DeleteQuietly(setAside);
        PublishLeftovers.Release(StagingPath);
    }

    private void RestoreSetAside()
    {
        string setAside = _setAside!;
        try
        {
            _fs.MoveDirectory(setAside, TargetPath);
            _setAside = null;
            PublishLeftovers.Release(setAside);
            _fs.FlushDirectory(_parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next writer for this target, or the next open of it, puts it back.
        }
    }

    private void DeleteQuietly(string directory)
    {
        try
        {
            ExistingDataset.DeleteWriterFiles(_fs, directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleanup is best effort: what is left is a hidden leftover that the next writer for this target deletes.
        }
        finally
        {
            PublishLeftovers.Release(directory);
        }
    }
}
