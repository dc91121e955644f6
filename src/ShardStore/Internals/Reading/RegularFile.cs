using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static ShardStore.Interop.Interop;

namespace ShardStore.Internals.Reading;

/// <summary>
/// Opens files that must be regular files (manifest, shards, loader states) without blocking on a FIFO, and
/// reports their identity. On Linux the file is opened non-blocking and checked with statx on the open handle,
/// so nothing can swap it between the check and the open; elsewhere it is opened normally and identified by
/// length and modification time.
/// </summary>
internal static unsafe class RegularFile
{
    private static volatile bool s_nativeUnavailable = !OperatingSystem.IsLinux();

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <param name="path">The file.</param>
    /// <param name="identity">The open file's identity.</param>
    /// <param name="kind">When the path is not a regular file, what it is ("a FIFO", "a directory", ...).</param>
    /// <returns>The handle, or null with <paramref name="kind"/> set when the path is not a regular file.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder on the path does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">Another error.</exception>
    public static SafeFileHandle? TryOpenRead(string path, out FileIdentity identity, out string? kind)
    {
        if (!s_nativeUnavailable)
        {
            try
            {
                return TryOpenReadLinux(path, out identity, out kind);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_nativeUnavailable = true;
            }
        }

        kind = null;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException && Directory.Exists(path))
        {
            kind = "a directory";
            identity = default;
            return null;
        }

        identity = new FileIdentity(0, 0, RandomAccess.GetLength(handle), (File.GetLastWriteTimeUtc(handle) - DateTime.UnixEpoch).Ticks * 100);
        return handle;
    }

    /// <summary>Gets the identity of an open file now.</summary>
    public static FileIdentity GetIdentity(SafeFileHandle handle)
    {
        if (!s_nativeUnavailable)
        {
            try
            {
                StatxBuffer status = Status(handle, "the file");
                return Identity(status);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_nativeUnavailable = true;
            }
        }

        return new FileIdentity(0, 0, RandomAccess.GetLength(handle), (File.GetLastWriteTimeUtc(handle) - DateTime.UnixEpoch).Ticks * 100);
    }

    private static SafeFileHandle? TryOpenReadLinux(string path, out FileIdentity identity, out string? kind)
    {
        EnsureResolverRegistered();
        int fd;
        do
        {
            // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
            fd = Open(path, ORdOnly | ONonBlock | OCloExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);

        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), path, "open");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            StatxBuffer status = Status(handle, path);
            kind = (status.Mode & SIfMt) switch
            {
                SIfReg => null,
                SIfDir => "a directory",
                SIfIfo => "a FIFO",
                SIfChr => "a character device",
                SIfBlk => "a block device",
                SIfSock => "a socket",
                _ => "not a file",
            };
            identity = Identity(status);
            if (kind is null)
            {
                return handle;
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose();
        return null;
    }

    private static StatxBuffer Status(SafeFileHandle handle, string path)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            StatxBuffer status;
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, &status) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, "query");
            }

            return status;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static FileIdentity Identity(in StatxBuffer s) =>
        new(((ulong)s.DeviceMajor << 32) | s.DeviceMinor, s.Inode, (long)s.Size, (s.ModifiedSeconds * 1_000_000_000L) + s.ModifiedNanoseconds);

    private static Exception Error(int errno, string path, string action)
    {
        string message = $"Could not {action} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
        return errno switch
        {
            ENoEnt => new FileNotFoundException(message, path),
            ENotDir => new DirectoryNotFoundException(message),
            EAcces => new UnauthorizedAccessException(message),
            _ => new IOException(message, errno),
        };
    }
}
