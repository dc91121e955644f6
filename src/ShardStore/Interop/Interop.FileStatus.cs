using System.Runtime.InteropServices;

namespace ShardStore.Interop;

internal static partial class Interop
{
    /// <summary>The C library by its Linux soname, so these imports need no resolver; they are called on Linux only.</summary>
    internal const string LibCLinux = "libc.so.6";

    // open(2) flags of the generic Linux ABI (x64, arm64, riscv64, ppc64, s390x).
    internal const int ORdOnly = 0;
    internal const int ONonBlock = 0x800;
    internal const int ODirectory = 0x10000;
    internal const int OCloExec = 0x80000;

    internal const int AtEmptyPath = 0x1000;
    internal const uint StatxBasicStats = 0x7FF;

    internal const int SIfMt = 0xF000;
    internal const int SIfReg = 0x8000;
    internal const int SIfDir = 0x4000;
    internal const int SIfChr = 0x2000;
    internal const int SIfBlk = 0x6000;
    internal const int SIfIfo = 0x1000;
    internal const int SIfSock = 0xC000;

    internal const int ENoEnt = 2;
    internal const int EAcces = 13;
    internal const int ENotDir = 20;
    internal const int EIntr = 4;

    [LibraryImport(LibCLinux, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, StatxBuffer* buffer);

    /// <summary>struct statx: the same 256 bytes on every Linux architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long ModifiedSeconds;

        [FieldOffset(120)]
        public uint ModifiedNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
