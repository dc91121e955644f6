using System.Runtime.InteropServices;
using ShardStore.Cuda.Internals;
using ShardStore.Native;

namespace ShardStore.Cuda.Tests;

/// <summary>Driver discovery, library names per platform, and the driver error mapping.</summary>
[TestClass]
public sealed class CudaDeviceTests
{
    [TestMethod]
    public void IsAvailable_EitherDevicesOrAReason()
    {
        if (CudaDevice.IsAvailable)
        {
            Assert.IsNull(CudaDevice.UnavailableReason);
            Assert.IsTrue(CudaDevice.DeviceCount > 0);
            Assert.IsTrue(CudaDevice.DriverVersion > 0);
        }
        else
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(CudaDevice.UnavailableReason));
            Assert.AreEqual(0, CudaDevice.DeviceCount);
        }
    }

    [TestMethod]
    public void DescribeCudaDriver_PlatformNamesAndHints()
    {
        NativeLibraryDescriptor linux = NativeLibraryResolver.DescribeCudaDriver(OSPlatform.Linux);
        CollectionAssert.AreEqual(new[] { "libcuda.so.1" }, linux.CandidateNames.ToArray());
        StringAssert.Contains(linux.FormatNotFoundMessage(), "NVIDIA driver");
        NativeLibraryDescriptor windows = NativeLibraryResolver.DescribeCudaDriver(OSPlatform.Windows);
        CollectionAssert.AreEqual(new[] { "nvcuda.dll" }, windows.CandidateNames.ToArray());
        NativeLibraryDescriptor mac = NativeLibraryResolver.DescribeCudaDriver(OSPlatform.OSX);
        Assert.AreEqual(0, mac.CandidateNames.Count);
        StringAssert.Contains(mac.FormatNotFoundMessage(), "no CUDA driver for macOS");
    }

    [TestMethod]
    public void MissingExports_LibraryWithoutTheDriverApi_NamesEveryMissingEntryPoint()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Uses the C library (libc.so.6) as a library without the driver API.");
        }

        nint libc = NativeLibrary.Load("libc.so.6");
        string? missing = CudaDevice.MissingExports(libc);

        Assert.IsNotNull(missing);
        StringAssert.Contains(missing, "cuInit");
        StringAssert.Contains(missing, "cuStreamDestroy_v2");
        StringAssert.Contains(missing, "cuLaunchKernel");
    }

    [TestMethod]
    public void DescribeCudaDriverAt_Path_TriesOnlyThatFileAndNamesTheVariable()
    {
        NativeLibraryDescriptor library = NativeLibraryResolver.DescribeCudaDriverAt("/opt/driver/libcuda.so.1");

        CollectionAssert.AreEqual(new[] { "/opt/driver/libcuda.so.1" }, library.CandidateNames.ToArray());
        StringAssert.Contains(library.FormatNotFoundMessage(), NativeLibraryResolver.DriverPathVariable);
    }

    [TestMethod]
    public void ThrowIfFailed_Error_ThrowsCudaExceptionWithCodeAndCall()
    {
        CudaException.ThrowIfFailed(0);
        int outOfMemory = 2;
        CudaException e = Assert.ThrowsExactly<CudaException>(() => CudaException.ThrowIfFailed(outOfMemory));
        Assert.AreEqual(2, e.Result);
        StringAssert.Contains(e.Message, "outOfMemory", "the failing call's source text");
        if (CudaDevice.IsAvailable)
        {
            Assert.AreEqual("CUDA_ERROR_OUT_OF_MEMORY", e.ErrorName, "the driver's own name");
        }
    }
}
