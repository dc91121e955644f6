using Microsoft.Win32.SafeHandles;

namespace ShardPack.Sync;

/// <summary>A local file opened for positioned reads.</summary>
internal sealed class LocalFileObject : ISourceObject
{
    private readonly SafeFileHandle _handle;

    private LocalFileObject(string path, SafeFileHandle handle)
    {
        LocalPath = path;
        _handle = handle;
        Length = RandomAccess.GetLength(handle);
    }

    public long Length { get; }

    public string? LocalPath { get; }

    /// <summary>Opens <paramref name="path"/>, or returns null when it does not exist.</summary>
    public static LocalFileObject? TryOpen(string path)
    {
        try
        {
            return new LocalFileObject(path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int read = await RandomAccess.ReadAsync(_handle, destination[done..], offset + done, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw DataErrors.Create($"the file ended at byte {offset + done}, before the {destination.Length} bytes read from {offset}; it was truncated", LocalPath);
            }

            done += read;
        }
    }

    public void Dispose() => _handle.Dispose();
}
