using System.Runtime.InteropServices;
using ShardStore.Codecs.Internals;
using ShardStore.Codecs.Tests.Infrastructure;
using ShardStore.Native;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class NativeLibraryResolverTests
{
    [TestMethod]
    public void Load_NoCandidateLoads_ThrowsDllNotFoundNamingLibraryAndFix()
    {
        var exception = Assert.ThrowsExactly<DllNotFoundException>(
            () => NativeLibraryProbe.Load(MissingLibrary.Descriptor, typeof(NativeCodecs).Assembly, null));
        Assert.Contains("libshardstore-test-missing", exception.Message);
        Assert.Contains("missing-library tests", exception.Message);
        foreach (string candidate in MissingLibrary.Descriptor.CandidateNames)
        {
            Assert.Contains(candidate, exception.Message);
        }

        Assert.Contains("Install the imaginary test package.", exception.Message);
        Assert.IsNotNull(exception.InnerException, "The loader's own reason should be kept as the inner exception.");
    }

    [TestMethod]
    public void PInvoke_LibraryMissing_CallerSeesResolverMessage()
    {
        var exception = Assert.ThrowsExactly<DllNotFoundException>(() => MissingLibrary.CallMissingFunction());
        Assert.Contains("Install the imaginary test package.", exception.Message);
    }

    [TestMethod]
    [DataRow("LINUX", "apt-get install liblz4-1")]
    [DataRow("OSX", "brew install lz4")]
    [DataRow("WINDOWS", "lz4.dll")]
    [DataRow("WINDOWS", "vcpkg")]
    public void Load_Lz4Missing_MessageSaysWhatToInstall(string platform, string expected)
    {
        NativeLibraryDescriptor missing = NativeLibraryResolver.DescribeLz4(OSPlatform.Create(platform)) with
        {
            CandidateNames = ["liblz4_shardstore_absent.so.99"],
        };
        var exception = Assert.ThrowsExactly<DllNotFoundException>(
            () => NativeLibraryProbe.Load(missing, typeof(NativeCodecs).Assembly, null));
        Assert.Contains(expected, exception.Message);
        Assert.Contains("LZ4", exception.Message);
    }

    [TestMethod]
    [DataRow("LINUX", "apt-get install libzstd1")]
    [DataRow("OSX", "brew install zstd")]
    [DataRow("WINDOWS", "libzstd.dll")]
    public void Load_ZstdMissing_MessageSaysWhatToInstall(string platform, string expected)
    {
        NativeLibraryDescriptor missing = NativeLibraryResolver.DescribeZstd(OSPlatform.Create(platform)) with
        {
            CandidateNames = ["libzstd_shardstore_absent.so.99"],
        };
        var exception = Assert.ThrowsExactly<DllNotFoundException>(
            () => NativeLibraryProbe.Load(missing, typeof(NativeCodecs).Assembly, null));
        Assert.Contains(expected, exception.Message);
        Assert.Contains("Zstandard", exception.Message);
    }

    [TestMethod]
    [DataRow("LINUX", "liblz4.so.1", "libzstd.so.1")]
    [DataRow("OSX", "liblz4.dylib", "libzstd.dylib")]
    [DataRow("WINDOWS", "lz4.dll", "libzstd.dll")]
    public void Describe_Platform_TriesPlatformNameFirst(string platform, string lz4, string zstd)
    {
        Assert.AreEqual(lz4, NativeLibraryResolver.DescribeLz4(OSPlatform.Create(platform)).CandidateNames[0]);
        Assert.AreEqual(zstd, NativeLibraryResolver.DescribeZstd(OSPlatform.Create(platform)).CandidateNames[0]);
    }

    [TestMethod]
    public void Load_InstalledLibraries_ReturnsHandles()
    {
        Assert.AreNotEqual(0, NativeLibraryProbe.Load(NativeLibraryResolver.Lz4Library, typeof(NativeCodecs).Assembly, null));
        Assert.AreNotEqual(0, NativeLibraryProbe.Load(NativeLibraryResolver.ZstdLibrary, typeof(NativeCodecs).Assembly, null));
    }

    [TestMethod]
    public void SetDllImportResolver_AfterCodecsLoaded_ThrowsBecauseResolverIsRegistered()
    {
        _ = NativeCodecs.Lz4Version;
        Assert.ThrowsExactly<InvalidOperationException>(
            () => NativeLibrary.SetDllImportResolver(typeof(NativeCodecs).Assembly, (_, _, _) => 0));
    }
}
