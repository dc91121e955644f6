using Microsoft.Win32.SafeHandles;

namespace ShardStore.Internals.Publishing;

/// <summary>
/// Every call by which a dataset writer changes the file system: creating, writing, flushing, renaming and deleting.
/// Production uses <see cref="PhysicalWriterFileSystem"/>; tests substitute one that fails at a chosen call to
/// prove that a failure anywhere leaves the target holding exactly the old or exactly the new dataset.
/// </summary>
internal interface IWriterFileSystem
{
    /// <summary>Creates a directory and any missing parents; nothing happens when it exists.</summary>
    void CreateDirectory(string path);

    /// <summary>Creates a new file for reading and writing; fails when it exists.</summary>
    SafeFileHandle CreateFile(string path);

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset);

    /// <summary>Flushes a file's data and metadata to the storage device (fsync).</summary>
    void FlushFile(SafeFileHandle file);

    /// <summary>Flushes a directory's entries to the storage device, so renames and creations in it survive a power loss.</summary>
    void FlushDirectory(string path);

    /// <summary>Renames a file; fails when the destination exists.</summary>
    void MoveFile(string source, string destination);

    /// <summary>Renames a file over the destination in one atomic step, replacing it when it exists.</summary>
    void ReplaceFile(string source, string destination);

    /// <summary>Renames a directory; fails when the destination exists.</summary>
    void MoveDirectory(string source, string destination);

    /// <summary>Swaps two existing directories in one atomic step.</summary>
    /// <returns>False, having changed nothing, when the platform or file system cannot do it.</returns>
    bool TryExchangeDirectories(string first, string second);

    /// <summary>Deletes a file; nothing happens when it does not exist.</summary>
    void DeleteFile(string path);

    /// <summary>Deletes an empty directory.</summary>
    void DeleteDirectory(string path);
}
