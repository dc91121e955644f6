using System.Runtime.InteropServices;
using ShardStore.Native;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Internals;

/// <summary>The single <see cref="DllImportResolver"/> of this assembly: maps the logical names in <see cref="Libraries"/> to platform file names.</summary>
/// <remarks>
/// Registration happens once, in the static constructor, which the interop classes trigger before their first
/// import is bound. <see cref="NativeLibrary.SetDllImportResolver"/> throws on a second registration and that
/// exception is deliberately left to surface.
/// </remarks>
internal static class NativeLibraryResolver
{
    static NativeLibraryResolver() =>
        NativeLibraryProbe.Register(typeof(NativeLibraryResolver).Assembly, Describe);

    /// <summary>Gets the liblz4 description for the current platform.</summary>
    internal static NativeLibraryDescriptor Lz4Library { get; } = DescribeLz4(NativeLibraryProbe.CurrentPlatform);

    /// <summary>Gets the libzstd description for the current platform.</summary>
    internal static NativeLibraryDescriptor ZstdLibrary { get; } = DescribeZstd(NativeLibraryProbe.CurrentPlatform);

    /// <summary>Makes sure the resolver is registered; calling it is enough, since the static constructor does the work.</summary>
    internal static void EnsureRegistered()
    {
    }

    /// <summary>Describes liblz4 as it is named and installed on <paramref name="platform"/>.</summary>
    internal static NativeLibraryDescriptor DescribeLz4(OSPlatform platform)
    {
        const string UsedBy = "LZ4 and LZ4HC codecs";
        if (platform == OSPlatform.Windows)
        {
            return new("lz4", ["lz4.dll", "liblz4.dll"],
                "Put lz4.dll (or liblz4.dll) beside the application, for example built with 'vcpkg install lz4'.") { UsedBy = UsedBy };
        }

        if (platform == OSPlatform.OSX)
        {
            // Homebrew on Apple silicon installs under /opt/homebrew/lib, which dlopen does not search by default.
            return new("liblz4", ["liblz4.dylib", "liblz4.1.dylib", "/opt/homebrew/lib/liblz4.dylib"],
                "Install it with 'brew install lz4'.") { UsedBy = UsedBy };
        }

        return new("liblz4", ["liblz4.so.1", "liblz4.so"],
            "On Debian or Ubuntu install it with 'sudo apt-get install liblz4-1'; elsewhere install your " +
            "distribution's LZ4 runtime library package (1.9 or later).") { UsedBy = UsedBy };
    }

    /// <summary>Describes libzstd as it is named and installed on <paramref name="platform"/>.</summary>
    internal static NativeLibraryDescriptor DescribeZstd(OSPlatform platform)
    {
        const string UsedBy = "Zstandard codec";
        if (platform == OSPlatform.Windows)
        {
            return new("zstd", ["libzstd.dll", "zstd.dll"],
                "Put libzstd.dll (or zstd.dll) beside the application, for example built with 'vcpkg install zstd'.") { UsedBy = UsedBy };
        }

        if (platform == OSPlatform.OSX)
        {
            return new("libzstd", ["libzstd.dylib", "libzstd.1.dylib", "/opt/homebrew/lib/libzstd.dylib"],
                "Install it with 'brew install zstd'.") { UsedBy = UsedBy };
        }

        return new("libzstd", ["libzstd.so.1", "libzstd.so"],
            "On Debian or Ubuntu install it with 'sudo apt-get install libzstd1'; elsewhere install your " +
            "distribution's Zstandard runtime library package (1.5 or later).") { UsedBy = UsedBy };
    }

    private static NativeLibraryDescriptor? Describe(string libraryName) => libraryName switch
    {
        Libraries.Lz4 => Lz4Library,
        Libraries.Zstd => ZstdLibrary,
        _ => null,
    };
}
