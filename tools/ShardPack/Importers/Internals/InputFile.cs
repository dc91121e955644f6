using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ShardPack.Importers.Internals;

/// <summary>
/// Opens an input file for reading only when it is a regular file, without ever blocking: a FIFO, a device, a socket or a
/// directory is refused. On Linux and macOS the file is opened with O_NONBLOCK, so a FIFO without a writer cannot hang
/// the open, and (on Linux) its type is read from the open descriptor, so it cannot change between the check and the read.
/// </summary>
internal static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for sequential reading, or returns null with <paramref name="notRegular"/> naming what it is instead.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder of the path does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">Another failure of the open.</exception>
    public static FileStream? TryOpen(string path, int bufferSize, out string? notRegular)
    {
        notRegular = null;
        if (Directory.Exists(path))
        {
            notRegular = "a directory";
            return null;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            return TryOpenUnix(path, bufferSize, out notRegular);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            notRegular = "not a regular file (it cannot seek: a pipe or a device)";
            return null;
        }

        return stream;
    }

    /// <summary>Opens <paramref name="path"/> or throws the error that names it as a bad input.</summary>
    /// <exception cref="InvalidDataException">Not a regular file; the message names <paramref name="path"/>.</exception>
    public static FileStream Open(string path, int bufferSize) =>
        TryOpen(path, bufferSize, out string? notRegular)
            ?? throw DataErrors.Create($"the input is {notRegular}, not a regular file; shardpack reads only regular files (copy a pipe's data to a file first).", path);

    private static unsafe FileStream? TryOpenUnix(string path, int bufferSize, out string? notRegular)
    {
        notRegular = null;
        int flags = OperatingSystem.IsLinux() ? Interop.Linux.ONonBlock | Interop.Linux.OCloExec : Interop.MacOS.ONonBlock | Interop.MacOS.OCloExec;
        int fd = Interop.Open(path, flags);
        if (fd < 0)
        {
            throw OpenError(path, Marshal.GetLastPInvokeError());
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            int type = -1;
            if (OperatingSystem.IsLinux())
            {
                byte* buffer = stackalloc byte[Interop.Linux.StatxBufferBytes];
                if (Interop.Statx(fd, string.Empty, Interop.Linux.AtEmptyPath, Interop.Linux.StatxType, buffer) == 0)
                {
                    type = *(ushort*)(buffer + Interop.Linux.StatxModeOffset) & Interop.FileType.Mask;
                }
            }

            var stream = new FileStream(handle, FileAccess.Read, bufferSize);
            notRegular = type switch
            {
                Interop.FileType.Regular => null,
                Interop.FileType.Fifo => "a FIFO (named pipe)",
                Interop.FileType.CharacterDevice => "a character device",
                Interop.FileType.BlockDevice => "a block device",
                Interop.FileType.Directory => "a directory",
                Interop.FileType.Socket => "a socket",
                -1 when stream.CanSeek => null,
                _ => "not a regular file",
            };
            if (notRegular is not null)
            {
                stream.Dispose();
                return null;
            }

            return stream;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static Exception OpenError(string path, int errno)
    {
        string reason = new Win32Exception(errno).Message;
        return errno switch
        {
            2 => new FileNotFoundException($"Could not find file '{path}'.", path),
            13 or 1 => new UnauthorizedAccessException($"Access to the path '{path}' is denied ({reason})."),
            _ => new IOException($"Could not open '{path}': {reason}.", errno),
        };
    }
}
