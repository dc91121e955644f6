using System.Reflection;
using System.Runtime.InteropServices;

namespace ShardStore.Runner.Interop;

/// <summary>The native libraries the runner calls itself (the C library, for page-cache control).</summary>
internal static partial class Interop
{
    internal const string LibC = "libc";

    // The one import resolver of this assembly, registered before the first import is bound (the explicit static
    // constructor makes the first call into this class wait for it). "libc" alone names a linker script on glibc
    // systems, which the runtime's own probing cannot load.
    static Interop() => NativeLibrary.SetDllImportResolver(typeof(Interop).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibC)
        {
            return 0;
        }

        string actual = OperatingSystem.IsMacOS() ? "/usr/lib/libSystem.dylib" : "libc.so.6";
        return NativeLibrary.TryLoad(actual, out nint handle) ? handle : 0;
    }
}
