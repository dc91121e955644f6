using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Internals;

/// <summary>
/// A hidden sibling directory that a dataset is written into and that is renamed into place whole once the
/// manifest is written, so a reader never sees a half-written dataset and a failed write leaves nothing.
/// </summary>
internal sealed class StagingDirectory
{
    private readonly bool _overwrite;
    private bool _done;

    public StagingDirectory(string target, bool overwrite)
    {
        TargetPath = Path.GetFullPath(target);
        _overwrite = overwrite;
        if (File.Exists(TargetPath))
        {
            throw new IOException($"'{TargetPath}' is a file; a dataset is a directory.");
        }

        if (Directory.Exists(TargetPath) && !overwrite && Directory.EnumerateFileSystemEntries(TargetPath).Any())
        {
            throw new IOException($"'{TargetPath}' exists and is not empty; choose another directory or set Overwrite.");
        }

        string parent = Path.GetDirectoryName(TargetPath) ?? throw new IOException($"'{TargetPath}' has no parent directory.");
        Directory.CreateDirectory(parent);
        StagingPath = Path.Combine(parent, $".{Path.GetFileName(TargetPath)}.partial-{RandomSuffix()}");
        Directory.CreateDirectory(StagingPath);
    }

    public string TargetPath { get; }

    public string StagingPath { get; }

    /// <summary>Writes <paramref name="manifest"/> under a temporary name, renames it, then moves the directory into place.</summary>
    public void Publish(string manifestName, ReadOnlySpan<byte> manifest)
    {
        string temp = Path.Combine(StagingPath, manifestName + ".tmp");
        using (SafeFileHandle file = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(file, manifest, 0);
            RandomAccess.FlushToDisk(file);
        }

        File.Move(temp, Path.Combine(StagingPath, manifestName));

        string? old = null;
        if (Directory.Exists(TargetPath))
        {
            if (Directory.EnumerateFileSystemEntries(TargetPath).Any())
            {
                if (!_overwrite)
                {
                    throw new IOException($"'{TargetPath}' was filled by someone else while the dataset was being written.");
                }

                old = Path.Combine(Path.GetDirectoryName(TargetPath)!, $".{Path.GetFileName(TargetPath)}.old-{RandomSuffix()}");
                Directory.Move(TargetPath, old);
            }
            else
            {
                Directory.Delete(TargetPath);
            }
        }

        Directory.Move(StagingPath, TargetPath);
        _done = true;
        if (old is not null)
        {
            Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>Deletes everything written so far; harmless after <see cref="Publish"/>.</summary>
    public void Abandon()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        try
        {
            Directory.Delete(StagingPath, recursive: true);
        }
        catch (IOException)
        {
            // Cleanup is best effort: the partial directory is hidden and never has a manifest at the target.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
