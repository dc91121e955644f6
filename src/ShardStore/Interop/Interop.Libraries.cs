using System.Reflection;
using System.Runtime.InteropServices;

namespace ShardStore.Interop;

/// <summary>The native libraries the core assembly calls (only the C library and kernel32: no third-party code).</summary>
internal static partial class Interop
{
    internal const string LibC = "libc";
    internal const string Kernel32 = "kernel32.dll";

    private static readonly Lazy<bool> s_resolver = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(Interop).Assembly, Resolve);
        return true;
    });

    /// <summary>Registers the one import resolver of this assembly, which maps "libc" to the platform's C library; every user of libc calls it first, and only the first call registers.</summary>
    internal static void EnsureResolverRegistered() => _ = s_resolver.Value;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibC)
        {
            return 0;
        }

        string actual = OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() ? "/usr/lib/libSystem.dylib" : "libc.so.6";
        return NativeLibrary.TryLoad(actual, out nint handle) ? handle : 0;
    }
}
