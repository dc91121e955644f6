using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static ShardStore.Interop.Interop;

namespace ShardStore.Internals.Publishing;

/// <summary>The real file system calls behind <see cref="IWriterFileSystem"/>.</summary>
/// <remarks>
/// Directory flushes are fsync on Linux and macOS (macOS's fsync reaches the drive's cache, not its platter:
/// F_FULLFSYNC is not used) and nothing on Windows, where NTFS journals renames. The atomic exchange exists
/// on Linux only (renameat2 with RENAME_EXCHANGE, on file systems that support it); elsewhere, and where the
/// file system refuses it, <see cref="TryExchangeDirectories"/> returns false and the publisher renames twice.
/// </remarks>
internal sealed class PhysicalWriterFileSystem : IWriterFileSystem
{
    private static volatile bool s_exchangeUnsupported = !OperatingSystem.IsLinux() || PublishTestHooks.ExchangeDisabled;

    private PhysicalWriterFileSystem()
    {
    }

    public static PhysicalWriterFileSystem Instance { get; } = new();

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public SafeFileHandle CreateFile(string path) => File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(file, bytes, offset);

    public void FlushFile(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    public void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        EnsureResolverRegistered();
        int fd = Open(path, OpenReadOnly);
        if (fd < 0)
        {
            throw Failure("open the directory to flush", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw Failure("flush the directory", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public void MoveFile(string source, string destination) => File.Move(source, destination);

    public void ReplaceFile(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void MoveDirectory(string source, string destination) => Directory.Move(source, destination);

    public bool TryExchangeDirectories(string first, string second)
    {
        if (s_exchangeUnsupported)
        {
            return false;
        }

        EnsureResolverRegistered();
        try
        {
            if (RenameAt2(AtFdCwd, first, AtFdCwd, second, RenameExchange) == 0)
            {
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than glibc 2.28 has no renameat2 wrapper.
            s_exchangeUnsupported = true;
            return false;
        }

        int error = Marshal.GetLastPInvokeError();
        if (error is ErrorInvalid or ErrorNoSystemCall or ErrorNotSupported)
        {
            return false;
        }

        throw Failure($"exchange it with '{second}'", first, error);
    }

    public void DeleteFile(string path) => File.Delete(path);

    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: false);

    private static IOException Failure(string action, string path, int error) =>
        new($"Could not {action} '{path}': {Marshal.GetPInvokeErrorMessage(error)}.");
}
