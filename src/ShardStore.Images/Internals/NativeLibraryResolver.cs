using System.Runtime.InteropServices;
using ShardStore.Native;
using static ShardStore.Images.Interop.Interop;

namespace ShardStore.Images.Internals;

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

    /// <summary>Gets the TurboJPEG description for the current platform.</summary>
    internal static NativeLibraryDescriptor TurboJpegLibrary { get; } = DescribeTurboJpeg(NativeLibraryProbe.CurrentPlatform);

    /// <summary>Gets the libspng description for the current platform.</summary>
    internal static NativeLibraryDescriptor SpngLibrary { get; } = DescribeSpng(NativeLibraryProbe.CurrentPlatform);

    /// <summary>Makes sure the resolver is registered; calling it is enough, since the static constructor does the work.</summary>
    internal static void EnsureRegistered()
    {
    }

    /// <summary>Describes libjpeg-turbo's TurboJPEG library as it is named and installed on <paramref name="platform"/>.</summary>
    internal static NativeLibraryDescriptor DescribeTurboJpeg(OSPlatform platform)
    {
        const string UsedBy = "JPEG decoding";
        if (platform == OSPlatform.Windows)
        {
            return new("turbojpeg", ["turbojpeg.dll", "libturbojpeg.dll"],
                "Put turbojpeg.dll beside the application, from the libjpeg-turbo installer or 'vcpkg install libjpeg-turbo'.") { UsedBy = UsedBy };
        }

        if (platform == OSPlatform.OSX)
        {
            // Homebrew on Apple silicon installs under /opt/homebrew/lib, which dlopen does not search by default.
            return new("libturbojpeg", ["libturbojpeg.dylib", "libturbojpeg.0.dylib", "/opt/homebrew/lib/libturbojpeg.dylib"],
                "Install it with 'brew install jpeg-turbo'.") { UsedBy = UsedBy };
        }

        return new("libturbojpeg", ["libturbojpeg.so.0", "libturbojpeg.so"],
            "On Debian or Ubuntu install it with 'sudo apt-get install libturbojpeg0'; elsewhere install your " +
            "distribution's libjpeg-turbo TurboJPEG library package (2.1 or later).") { UsedBy = UsedBy };
    }

    /// <summary>Describes libspng as it is named and installed on <paramref name="platform"/>.</summary>
    internal static NativeLibraryDescriptor DescribeSpng(OSPlatform platform)
    {
        const string UsedBy = "PNG decoding";
        if (platform == OSPlatform.Windows)
        {
            return new("spng", ["spng.dll", "libspng.dll"],
                "Put spng.dll beside the application, for example built with 'vcpkg install libspng'.") { UsedBy = UsedBy };
        }

        if (platform == OSPlatform.OSX)
        {
            return new("libspng", ["libspng.dylib", "libspng.0.dylib", "/opt/homebrew/lib/libspng.dylib"],
                "Install it with 'brew install libspng'.") { UsedBy = UsedBy };
        }

        return new("libspng", ["libspng.so.0", "libspng.so"],
            "On Debian or Ubuntu install it with 'sudo apt-get install libspng0'; elsewhere install your " +
            "distribution's libspng package (0.7 or later).") { UsedBy = UsedBy };
    }

    private static NativeLibraryDescriptor? Describe(string libraryName) => libraryName switch
    {
        Libraries.TurboJpeg => TurboJpegLibrary,
        Libraries.Spng => SpngLibrary,
        _ => null,
    };
}
