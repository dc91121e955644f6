using System.Runtime.InteropServices;

namespace ShardStore.Interop;

internal static partial class Interop
{
    /// <summary>renameat2 flag (Linux): swap the two paths atomically; both must exist.</summary>
    internal const uint RenameExchange = 2;

    /// <summary>The "current directory" descriptor for the *at calls (Linux).</summary>
    internal const int AtFdCwd = -100;

    /// <summary>O_RDONLY, the same on every POSIX system; enough to open a directory for fsync.</summary>
    internal const int OpenReadOnly = 0;

    /// <summary>Linux errno values that mean "this file system or kernel cannot exchange".</summary>
    internal const int ErrorInvalid = 22;
    internal const int ErrorNoSystemCall = 38;
    internal const int ErrorNotSupported = 95;

    [LibraryImport(LibC, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(LibC, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int descriptor);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int descriptor);
}
