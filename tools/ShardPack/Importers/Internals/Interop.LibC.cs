using System.Runtime.InteropServices;

namespace ShardPack.Importers.Internals;

/// <summary>The few libc calls the importers need to open an input without blocking and learn its file type.</summary>
internal static partial class Interop
{
    private const string LibC = "libc";

    /// <summary>open(2); variadic in C, called without the mode argument, which only O_CREAT reads.</summary>
    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    /// <summary>statx(2) (Linux 4.11+, glibc 2.28+): its buffer layout is the same on every architecture.</summary>
    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Linux open flags (the same on x86, x64, ARM and ARM64).</summary>
    internal static class Linux
    {
        public const int ONonBlock = 0x800;
        public const int OCloExec = 0x80000;
        public const int AtEmptyPath = 0x1000;
        public const uint StatxType = 0x1;
        public const int StatxModeOffset = 28;
        public const int StatxBufferBytes = 256;
    }

    /// <summary>macOS open flags.</summary>
    internal static class MacOS
    {
        public const int ONonBlock = 0x4;
        public const int OCloExec = 0x1000000;
    }

    /// <summary>File type bits of st_mode, the same on Linux and macOS.</summary>
    internal static class FileType
    {
        public const int Mask = 0xF000;
        public const int Fifo = 0x1000;
        public const int CharacterDevice = 0x2000;
        public const int Directory = 0x4000;
        public const int BlockDevice = 0x6000;
        public const int Regular = 0x8000;
        public const int SymbolicLink = 0xA000;
        public const int Socket = 0xC000;
    }
}
