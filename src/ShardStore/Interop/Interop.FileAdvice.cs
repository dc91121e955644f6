using System.Runtime.InteropServices;

namespace ShardStore.Interop;

internal static partial class Interop
{
    /// <summary>posix_fadvise advice values (Linux).</summary>
    internal const int FadvWillNeed = 3;
    internal const int FadvDontNeed = 4;

    /// <summary>O_DIRECT differs between Linux architectures: 0x4000 on x86-64, 0x10000 on ARM64; 0 where unknown.</summary>
    internal static int ODirect => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    /// <summary>posix_fadvise returns the error number instead of setting errno.</summary>
    [LibraryImport(LibCLinux, EntryPoint = "posix_fadvise")]
    internal static partial int PosixFadvise(int descriptor, long offset, long length, int advice);
}
