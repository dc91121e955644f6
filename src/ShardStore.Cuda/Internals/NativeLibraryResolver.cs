using System.Runtime.InteropServices;
using ShardStore.Native;
using static ShardStore.Cuda.Interop.Interop;

namespace ShardStore.Cuda.Internals;

/// <summary>The single <see cref="DllImportResolver"/> of this assembly: maps <see cref="Libraries.CudaDriver"/> to the platform's driver library.</summary>
/// <remarks>
/// Registration happens once, in the static constructor, which the interop class triggers before its first import is
/// bound. <see cref="NativeLibrary.SetDllImportResolver"/> throws on a second registration and that exception is
/// deliberately left to surface.
/// </remarks>
internal static class NativeLibraryResolver
{
    static NativeLibraryResolver() =>
        NativeLibraryProbe.Register(typeof(NativeLibraryResolver).Assembly, Describe);

    /// <summary>The environment variable that names the driver library to load instead of the platform's (a full path).</summary>
    /// <remarks>For a driver installed outside the loader's search path, and for running against a stand-in driver in tests.</remarks>
    internal const string DriverPathVariable = "SHARDSTORE_CUDA_DRIVER";

    /// <summary>Gets the CUDA driver's description for the current platform, or for the library <see cref="DriverPathVariable"/> names.</summary>
    internal static NativeLibraryDescriptor CudaDriverLibrary { get; } =
        Environment.GetEnvironmentVariable(DriverPathVariable) is { Length: > 0 } path
            ? DescribeCudaDriverAt(path)
            : DescribeCudaDriver(NativeLibraryProbe.CurrentPlatform);

    /// <summary>Makes sure the resolver is registered; calling it is enough, since the static constructor does the work.</summary>
    internal static void EnsureRegistered()
    {
    }

    /// <summary>Describes the CUDA driver library as it is named and installed on <paramref name="platform"/>.</summary>
    internal static NativeLibraryDescriptor DescribeCudaDriver(OSPlatform platform)
    {
        if (platform == OSPlatform.Windows)
        {
            return new("nvcuda.dll", ["nvcuda.dll"],
                "It comes with the NVIDIA display driver; install or update the driver for your GPU (the CUDA toolkit is not needed).");
        }

        if (platform == OSPlatform.OSX)
        {
            return new("libcuda", [],
                "NVIDIA ships no CUDA driver for macOS (the last one supported CUDA 10.2 on Intel Macs); the device ring runs on its host backend there.");
        }

        // libcuda.so.1 is the driver's soname; the unversioned libcuda.so is a development symlink (often a stub) and is not tried.
        return new("libcuda.so.1", ["libcuda.so.1"],
            "It comes with the NVIDIA driver: install the driver for your GPU (Debian/Ubuntu: the nvidia-driver or libcuda1 package; " +
            "in a container, run it with the NVIDIA container toolkit, e.g. 'docker run --gpus all').");
    }

    /// <summary>Describes the driver library at <paramref name="path"/>, named by <see cref="DriverPathVariable"/>.</summary>
    internal static NativeLibraryDescriptor DescribeCudaDriverAt(string path) =>
        new(path, [path], $"{DriverPathVariable} names this file; point it at the NVIDIA driver's libcuda.so.1 (or nvcuda.dll), or unset it.");

    /// <summary>Loads the driver library through this resolver (the same file the imports bind to).</summary>
    /// <exception cref="DllNotFoundException">The library does not load; the message says what to install.</exception>
    internal static nint LoadDriver() =>
        NativeLibraryProbe.Load(CudaDriverLibrary, typeof(NativeLibraryResolver).Assembly, null);

    private static NativeLibraryDescriptor? Describe(string libraryName) =>
        libraryName == Libraries.CudaDriver ? CudaDriverLibrary : null;
}
